import { describe, expect, it } from "vitest";
import { EMPTY_SEQUENCE, isTypingTarget, pressKey, SEQUENCE_TIMEOUT_MS, type KeyPress, type SequenceState } from "./shortcuts";

/** Presses keys in order; returns the actions completed and whether each press was taken. */
function press(keys: (Omit<KeyPress, "at"> & { at?: number })[], start: SequenceState = EMPTY_SEQUENCE) {
  let state = start;
  const actions: (string | null)[] = [];
  const taken: boolean[] = [];
  keys.forEach((k, i) => {
    const result = pressKey(state, { at: i * 100, ...k });
    state = result.state;
    actions.push(result.action);
    taken.push(result.taken);
  });
  return { actions, taken, state };
}

describe("pressKey", () => {
  it("completes single-key shortcuts at once and takes the key", () => {
    expect(press([{ key: "/" }])).toMatchObject({ actions: ["search"], taken: [true] });
    expect(press([{ key: "?" }])).toMatchObject({ actions: ["help"], taken: [true] });
  });

  it("completes g w and g t, and waits after g", () => {
    expect(press([{ key: "g" }, { key: "w" }]).actions).toEqual([null, "warnings"]);
    expect(press([{ key: "g" }, { key: "t" }]).actions).toEqual([null, "tenants"]);
  });

  it("lets a g go stale: w long after g is just w", () => {
    const { actions, taken } = press([{ key: "g", at: 0 }, { key: "w", at: SEQUENCE_TIMEOUT_MS + 1 }]);
    expect(actions).toEqual([null, null]);
    expect(taken).toEqual([true, false]);
    // At the limit it still counts.
    expect(press([{ key: "g", at: 0 }, { key: "w", at: SEQUENCE_TIMEOUT_MS }]).actions).toEqual([null, "warnings"]);
  });

  it("does not trust a clock that went backwards", () => {
    expect(press([{ key: "g", at: 1_000 }, { key: "w", at: 500 }]).actions).toEqual([null, null]);
  });

  it("starts again from an unrelated key, so g g w and g x / still work", () => {
    expect(press([{ key: "g" }, { key: "g" }, { key: "w" }]).actions).toEqual([null, null, "warnings"]);
    expect(press([{ key: "g" }, { key: "x" }, { key: "/" }]).actions).toEqual([null, null, "search"]);
  });

  it("leaves other keys alone (not taken, nothing pending)", () => {
    const { actions, taken, state } = press([{ key: "w" }, { key: "a" }, { key: "Enter" }]);
    expect(actions).toEqual([null, null, null]);
    expect(taken).toEqual([false, false, false]);
    expect(state.keys).toEqual([]);
  });

  it("never takes a key pressed with Ctrl, Cmd or Alt, and forgets a pending g", () => {
    for (const modifier of [{ ctrlKey: true }, { metaKey: true }, { altKey: true }]) {
      expect(press([{ key: "/", ...modifier }])).toMatchObject({ actions: [null], taken: [false] });
      expect(press([{ key: "g" }, { key: "w", ...modifier }]).actions).toEqual([null, null]);
    }
  });
});

describe("isTypingTarget", () => {
  it("is typing in text fields, text areas, selects and editable content", () => {
    expect(isTypingTarget({ tagName: "INPUT", type: "text" })).toBe(true);
    expect(isTypingTarget({ tagName: "input", type: "search" })).toBe(true);
    expect(isTypingTarget({ tagName: "INPUT" })).toBe(true);
    expect(isTypingTarget({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTypingTarget({ tagName: "SELECT" })).toBe(true);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true })).toBe(true);
  });

  it("is not typing on buttons, links, check boxes or the page itself", () => {
    expect(isTypingTarget({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTypingTarget({ tagName: "INPUT", type: "radio" })).toBe(false);
    expect(isTypingTarget({ tagName: "BUTTON" })).toBe(false);
    expect(isTypingTarget({ tagName: "A" })).toBe(false);
    expect(isTypingTarget({ tagName: "BODY" })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
