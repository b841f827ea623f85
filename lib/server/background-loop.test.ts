import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startBackgroundLoop, type RoundOutcome } from "./background-loop";

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const quiet = { error: vi.fn() };

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  quiet.error.mockClear();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A round that records when it started and, while it runs, lets the clock move `takesMs`. */
function recordingRound(takesMs = 0, outcome?: () => RoundOutcome | void) {
  const starts: number[] = [];
  let inFlight = 0;
  let overlapped = false;
  const round = async () => {
    starts.push(Date.now() - T0);
    inFlight++;
    overlapped ||= inFlight > 1;
    if (takesMs > 0) await new Promise((resolve) => setTimeout(resolve, takesMs));
    inFlight--;
    return outcome?.();
  };
  return { round, starts, overlapped: () => overlapped };
}

describe("startBackgroundLoop", () => {
  it("runs a round at start and then one per interval, on the grid", async () => {
    const { round, starts } = recordingRound(300);
    const loop = startBackgroundLoop({ name: "t", intervalMs: 1_000, round, logger: quiet });
    await vi.advanceTimersByTimeAsync(3_500);
    await loop.stop();
    expect(starts).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it("runs the first round one interval after start when asked to", async () => {
    const { round, starts } = recordingRound();
    const loop = startBackgroundLoop({ name: "t", intervalMs: 1_000, round, runAtStart: false, logger: quiet });
    await vi.advanceTimersByTimeAsync(2_500);
    await loop.stop();
    expect(starts).toEqual([1_000, 2_000]);
  });

  it("never runs one slot twice when its timer fires before the clock it reads reaches the slot", async () => {
    const { round, starts } = recordingRound();
    // The loop's clock reads 3 ms behind the timers' clock: every wake-up looks early to it.
    const loop = startBackgroundLoop({ name: "t", intervalMs: 100, round, now: () => Date.now() - 3, logger: quiet });
    await vi.advanceTimersByTimeAsync(1_050);
    await loop.stop();
    expect(starts).toHaveLength(11);
    expect(new Set(starts).size).toBe(starts.length);
  });

  it("never overlaps itself: a round that overruns skips the slots it missed and keeps to the grid", async () => {
    const { round, starts, overlapped } = recordingRound(2_500);
    const loop = startBackgroundLoop({ name: "t", intervalMs: 1_000, round, logger: quiet });
    await vi.advanceTimersByTimeAsync(6_100);
    const stopping = loop.stop();
    await vi.advanceTimersByTimeAsync(2_500);
    await stopping;
    expect(overlapped()).toBe(false);
    expect(starts).toEqual([0, 3_000, 6_000]);
  });

  it("logs a failed round and carries on", async () => {
    let n = 0;
    const loop = startBackgroundLoop({
      name: "flaky",
      intervalMs: 1_000,
      round: async () => {
        if (n++ === 0) throw new Error("database went away");
      },
      logger: quiet,
    });
    await vi.advanceTimersByTimeAsync(2_500);
    await loop.stop();
    expect(n).toBe(3);
    expect(quiet.error).toHaveBeenCalledTimes(1);
    expect(quiet.error).toHaveBeenCalledWith("[flaky] round failed: database went away");
  });

  it("runs again early when a round asks (a backlog), then returns to the grid", async () => {
    let backlog = 2;
    const { round, starts } = recordingRound(0, () => (backlog-- > 0 ? { nextInMs: 100 } : undefined));
    const loop = startBackgroundLoop({ name: "t", intervalMs: 1_000, round, logger: quiet });
    await vi.advanceTimersByTimeAsync(2_050);
    await loop.stop();
    expect(starts).toEqual([0, 100, 200, 1_000, 2_000]);
  });

  it("stop() waits for the round in flight and no round starts after it", async () => {
    const { round, starts } = recordingRound(500);
    const loop = startBackgroundLoop({ name: "t", intervalMs: 1_000, round, logger: quiet });
    await vi.advanceTimersByTimeAsync(1_100);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(starts).toEqual([0, 1_000]);
  });

  it("refuses an interval that is not a positive number", () => {
    expect(() => startBackgroundLoop({ name: "bad", intervalMs: 0, round: async () => {} })).toThrow(/bad: intervalMs must be a positive number/);
  });
});
