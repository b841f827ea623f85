import { describe, expect, it } from "vitest";
import { nextSlotAt, startRotation, type RotationClock } from "./rotation";

/** A clock whose time moves only when told, and whose timers fire when the test says (early or late). */
function fakeClock(start = 1_000_000) {
  let time = start;
  let nextId = 1;
  const timers = new Map<number, { run: () => void; due: number }>();
  const clock: RotationClock = {
    now: () => time,
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.set(id, { run, due: time + ms });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  /** Sets the time and fires the one pending timer, whatever its due time (as a browser may). */
  const fireAt = (at: number) => {
    expect(timers.size).toBe(1);
    const [id, timer] = [...timers][0]!;
    timers.delete(id);
    time = at;
    timer.run();
  };
  const pendingDue = () => [...timers.values()].map((t) => t.due);
  return { clock, fireAt, pendingDue, timers };
}

describe("nextSlotAt", () => {
  it("is the next boundary counted from the start, whatever time it is now", () => {
    expect(nextSlotAt(0, 20_000, 0)).toBe(20_000);
    expect(nextSlotAt(0, 20_000, 19_999)).toBe(20_000);
    expect(nextSlotAt(0, 20_000, 20_000)).toBe(40_000);
    expect(nextSlotAt(0, 20_000, 20_007)).toBe(40_000);
    expect(nextSlotAt(500, 1_000, 10_400)).toBe(10_500);
  });

  it("treats a clock before the start as the start", () => {
    expect(nextSlotAt(10_000, 1_000, 9_000)).toBe(11_000);
  });

  it("refuses a period that is not a positive number", () => {
    for (const period of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => nextSlotAt(0, period, 0)).toThrow(/positive number of milliseconds/);
  });
});

describe("startRotation", () => {
  it("turns the page once per slot and wraps", () => {
    const { clock, fireAt } = fakeClock(0);
    const pages: number[] = [];
    startRotation({ pages: 3, periodMs: 20_000, clock, onPage: (p) => pages.push(p) });
    for (const at of [20_000, 40_000, 60_000, 80_000]) fireAt(at);
    expect(pages).toEqual([1, 2, 0, 1]);
  });

  it("schedules from the slot, not from when the timer fired: late timers do not drift", () => {
    const { clock, fireAt, pendingDue } = fakeClock(0);
    const pages: number[] = [];
    startRotation({ pages: 4, periodMs: 20_000, clock, onPage: (p) => pages.push(p) });
    fireAt(20_900); // 900 ms late
    expect(pendingDue()).toEqual([40_000]); // not 40,900
    fireAt(40_050);
    expect(pendingDue()).toEqual([60_000]);
    expect(pages).toEqual([1, 2]);
  });

  it("waits out the slot when a timer fires early, without turning the page", () => {
    const { clock, fireAt, pendingDue } = fakeClock(0);
    const pages: number[] = [];
    startRotation({ pages: 2, periodMs: 20_000, clock, onPage: (p) => pages.push(p) });
    fireAt(19_998);
    expect(pages).toEqual([]);
    expect(pendingDue()).toEqual([20_000]);
    fireAt(20_000);
    expect(pages).toEqual([1]);
  });

  it("after a long stall moves on one page, to the slot the time is in", () => {
    const { clock, fireAt, pendingDue } = fakeClock(0);
    const pages: number[] = [];
    startRotation({ pages: 5, periodMs: 20_000, clock, onPage: (p) => pages.push(p) });
    fireAt(95_000); // the screen slept through four slots
    expect(pages).toEqual([1]);
    expect(pendingDue()).toEqual([100_000]);
  });

  it("keeps turning when the clock is set back, instead of waiting out the step", () => {
    const { clock, fireAt, pendingDue } = fakeClock(0);
    const pages: number[] = [];
    startRotation({ pages: 3, periodMs: 20_000, clock, onPage: (p) => pages.push(p) });
    fireAt(20_000);
    expect(pendingDue()).toEqual([40_000]);
    // An NTP step sets the clock back an hour before the next timer fires.
    fireAt(20_000 - 3_600_000);
    expect(pages).toEqual([1]);
    expect(pendingDue()).toEqual([20_000 - 3_600_000 + 20_000]);
    fireAt(20_000 - 3_600_000 + 20_000);
    expect(pages).toEqual([1, 2]);
  });

  it("does nothing for one page, and stops cleanly", () => {
    const one = fakeClock();
    startRotation({ pages: 1, periodMs: 1_000, clock: one.clock, onPage: () => expect.fail("turned a single page") });
    expect(one.timers.size).toBe(0);

    const { clock, timers } = fakeClock();
    const stop = startRotation({ pages: 2, periodMs: 1_000, clock, onPage: () => expect.fail("turned after stop") });
    expect(timers.size).toBe(1);
    stop();
    expect(timers.size).toBe(0);
  });
});
