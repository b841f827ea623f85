import { describe, expect, it } from "vitest";
import { subscribePixelRatio, type PixelRatioWindow } from "./use-pixel-ratio";

/** A window whose media queries can be told their match changed, as a browser does on a new ratio. */
function fakeWindow(ratio: number) {
  const lists: { media: string; listeners: Set<() => void> }[] = [];
  const win = {
    devicePixelRatio: ratio,
    matchMedia(media: string) {
      const list = { media, listeners: new Set<() => void>() };
      lists.push(list);
      return {
        media,
        addEventListener: (_: string, listener: () => void) => list.listeners.add(listener),
        removeEventListener: (_: string, listener: () => void) => list.listeners.delete(listener),
      } as unknown as MediaQueryList;
    },
  } satisfies PixelRatioWindow;
  /** The ratio changes: the query for the old one fires `change`. */
  const moveTo = (next: number) => {
    const current = lists.filter((l) => l.listeners.size > 0);
    win.devicePixelRatio = next;
    for (const list of current) for (const listener of [...list.listeners]) listener();
  };
  const listening = () => lists.filter((l) => l.listeners.size > 0).map((l) => l.media);
  return { win, moveTo, listening };
}

describe("subscribePixelRatio", () => {
  it("tells the canvas each time the wall moves to a screen of another ratio, and leaves nothing listening after", () => {
    const { win, moveTo, listening } = fakeWindow(1);
    let changes = 0;
    const unsubscribe = subscribePixelRatio(win, () => changes++);
    expect(listening()).toEqual(["(resolution: 1dppx)"]);

    moveTo(2);
    expect(changes).toBe(1);
    // Now watching the new ratio, not the old one (which would not fire again on the way back).
    expect(listening()).toEqual(["(resolution: 2dppx)"]);

    moveTo(1.25);
    expect(changes).toBe(2);
    expect(listening()).toEqual(["(resolution: 1.25dppx)"]);

    unsubscribe();
    expect(listening()).toEqual([]);
    moveTo(1);
    expect(changes).toBe(2);
  });
});
