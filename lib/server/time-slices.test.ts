import { describe, expect, it } from "vitest";
import { forEachInSlices } from "./time-slices";

/** A clock that moves only when an item is worked on: each item "takes" `msPerItem`. */
function steppedClock(msPerItem: number) {
  let t = 0;
  return { now: () => t, spend: () => (t += msPerItem) };
}

describe("forEachInSlices", () => {
  it("lets the event loop turn once a slice has run its length, not after every item", async () => {
    const clock = steppedClock(4);
    const events: string[] = [];
    // A callback queued for the loop's next turn: where it lands among the items shows where the slices end.
    const queueTurnMarker = () => setImmediate(() => events.push("turn"));
    queueTurnMarker();
    await forEachInSlices(
      [1, 2, 3, 4, 5, 6, 7],
      (item) => {
        clock.spend();
        events.push(`item ${item}`);
        if (item === 4) queueTurnMarker();
      },
      { sliceMs: 10, now: clock.now },
    );
    // 4 ms an item, 10 ms slices: the loop turns after items 3 and 6 (12 ms each), never mid-slice.
    expect(events).toEqual(["item 1", "item 2", "item 3", "turn", "item 4", "item 5", "item 6", "turn", "item 7"]);
  });

  it("works every item in order, once, and finishes without turning when the work is short", async () => {
    const clock = steppedClock(0);
    const seen: number[] = [];
    let turned = false;
    setImmediate(() => (turned = true));
    await forEachInSlices([3, 1, 2], (item) => seen.push(item), { sliceMs: 10, now: clock.now });
    expect(seen).toEqual([3, 1, 2]);
    expect(turned).toBe(false);
  });

  it("stops at the item that throws and passes its error on", async () => {
    const seen: number[] = [];
    await expect(
      forEachInSlices([1, 2, 3], (item) => {
        if (item === 2) throw new Error("bad tenant");
        seen.push(item);
      }),
    ).rejects.toThrow("bad tenant");
    expect(seen).toEqual([1]);
  });
});
