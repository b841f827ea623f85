import { describe, expect, it } from "vitest";
import { PostsInProgress } from "./posts-in-progress";

describe("PostsInProgress", () => {
  it("lets `limit` requests in, turns the next away, and lets one in again once one left", () => {
    const gate = new PostsInProgress(2);
    expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
    // The one turned away was not counted: one leaving makes room for exactly one.
    expect(gate.inProgress).toBe(2);
    gate.leave();
    expect([gate.tryEnter(), gate.tryEnter()]).toEqual([true, false]);
  });

  it("refuses a leave that was never counted in, so a double leave cannot open the gate wider", () => {
    const gate = new PostsInProgress(1);
    expect(() => gate.leave()).toThrow(/never counted in/);
    expect(gate.tryEnter()).toBe(true);
    gate.leave();
    expect(() => gate.leave()).toThrow(/never counted in/);
    expect(gate.inProgress).toBe(0);
  });

  it("refuses a limit that would let nothing in or is not a count", () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new PostsInProgress(limit), String(limit)).toThrow(/at least 1/);
  });
});
