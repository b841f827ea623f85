import { describe, expect, it } from "vitest";
import { RefreshingValue, type Held } from "./refreshing-value";

const SHARE = 5_000;
const MAX_AGE = 20_000;
const IDLE = 60_000;

/** Lets every promise callback that is ready run (no time passes: the clock is the test's). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A read the test answers when it chooses. */
type PendingRead = { at: number; resolve(value: string): void; reject(error: Error): void };

/** A RefreshingValue on a clock and timers the test moves itself. */
function harness() {
  let clock = 0;
  const reads: PendingRead[] = [];
  const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  const refreshErrors: { error: unknown; held: Held<string> | null }[] = [];
  const value = new RefreshingValue<string>({
    read: (at) =>
      new Promise<string>((resolve, reject) => {
        reads.push({ at: at.getTime(), resolve, reject });
      }),
    shareMs: SHARE,
    maxAgeMs: MAX_AGE,
    idleMs: IDLE,
    now: () => clock,
    schedule: (run, delayMs) => {
      const timer = { at: clock + delayMs, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
    onRefreshError: (error, held) => refreshErrors.push({ error, held }),
  });
  const armed = () => timers.filter((t) => !t.cancelled);
  return {
    value,
    reads,
    refreshErrors,
    armed,
    setClock(ms: number) {
      clock = ms;
    },
    /** Moves the clock to `ms`, firing each armed timer at its own time on the way. */
    async advanceTo(ms: number) {
      for (;;) {
        const next = armed()
          .filter((t) => t.at <= ms)
          .sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        next.cancelled = true;
        clock = next.at;
        next.run();
        await settle();
      }
      clock = ms;
    },
    /** Answers the newest read with `value`, at the current clock. */
    async answer(answer: string) {
      reads.at(-1)!.resolve(answer);
      await settle();
    },
    async fail(message: string) {
      reads.at(-1)!.reject(new Error(message));
      await settle();
    },
    settle,
  };
}

/** The first value, read at 0 and answered at once. */
async function primed() {
  const h = harness();
  const first = h.value.get();
  await h.answer("v1");
  expect(await first).toEqual({ value: "v1", readAt: 0 });
  return h;
}

describe("RefreshingValue", () => {
  it("serves what it holds without reading while it is younger than the share window", async () => {
    const h = await primed();
    h.setClock(SHARE - 1);
    expect(await h.value.get()).toEqual({ value: "v1", readAt: 0 });
    expect(h.reads).toHaveLength(1);
  });

  it("serves an older value at once and refreshes it once, in the background", async () => {
    const h = await primed();
    h.setClock(SHARE);
    // Answered while the refresh is still running: nobody waits for it.
    expect(await h.value.get()).toEqual({ value: "v1", readAt: 0 });
    h.setClock(SHARE + 1_000);
    expect(await h.value.get()).toEqual({ value: "v1", readAt: 0 });
    expect(h.reads.map((r) => r.at)).toEqual([0, SHARE]);
    await h.answer("v2");
    h.setClock(SHARE + 2_000);
    expect(await h.value.get()).toEqual({ value: "v2", readAt: SHARE });
    expect(h.reads).toHaveLength(2);
  });

  it("says whether a request would be answered at once: only with a value younger than the oldest it serves", async () => {
    const h = harness();
    expect(h.value.servesAtOnce()).toBe(false);
    const first = h.value.get();
    // A read under way is not a value held: a request now waits for it.
    expect(h.value.servesAtOnce()).toBe(false);
    await h.answer("v1");
    await first;
    expect(h.value.servesAtOnce()).toBe(true);
    h.setClock(MAX_AGE - 1);
    expect(h.value.servesAtOnce()).toBe(true);
    h.setClock(MAX_AGE);
    expect(h.value.servesAtOnce()).toBe(false);
    // Asking is not a request: it neither reads nor keeps the value refreshing.
    expect(h.reads).toHaveLength(1);
    // A clock that went back: the age is unknown, and get() would read again.
    h.setClock(-1);
    expect(h.value.servesAtOnce()).toBe(false);
  });

  it("gives requests that arrive together with nothing held one read, shared", async () => {
    const h = harness();
    const asked = [h.value.get(), h.value.get(), h.value.get()];
    expect(h.reads).toHaveLength(1);
    await h.answer("v1");
    const served = await Promise.all(asked);
    expect(served.map((s) => s.value)).toEqual(["v1", "v1", "v1"]);
    expect(new Set(served).size).toBe(1);
  });

  it("keeps serving the old value when a refresh fails, until it is too old; then the request gets the error", async () => {
    const h = await primed();
    h.setClock(6_000);
    expect((await h.value.get()).value).toBe("v1");
    await h.fail("database unreachable");
    expect(h.refreshErrors.map((e) => [(e.error as Error).message, e.held?.value])).toEqual([["database unreachable", "v1"]]);

    h.setClock(MAX_AGE - 1);
    expect((await h.value.get()).value).toBe("v1");
    expect(h.reads.map((r) => r.at)).toEqual([0, 6_000, MAX_AGE - 1]);
    await h.fail("still unreachable");

    h.setClock(MAX_AGE);
    const tooOld = h.value.get();
    // Nothing servable: this request waits on a read of its own.
    expect(h.reads.map((r) => r.at)).toEqual([0, 6_000, MAX_AGE - 1, MAX_AGE]);
    const refused = expect(tooOld).rejects.toThrow("down for good");
    await h.fail("down for good");
    await refused;

    // The database is back: the next request reads and is served.
    h.setClock(MAX_AGE + 1);
    const back = h.value.get();
    await h.answer("v2");
    expect(await back).toEqual({ value: "v2", readAt: MAX_AGE + 1 });
  });

  it("dates a value by when its read started, not when it was answered or served", async () => {
    const h = harness();
    h.setClock(1_000);
    const asked = h.value.get();
    expect(h.reads[0]!.at).toBe(1_000);
    h.setClock(4_000);
    await h.answer("slow");
    expect(await asked).toEqual({ value: "slow", readAt: 1_000 });
    h.setClock(5_999);
    expect((await h.value.get()).readAt).toBe(1_000);
    // 5 s after the read started, not after it ended: the next request refreshes.
    h.setClock(6_000);
    await h.value.get();
    expect(h.reads.map((r) => r.at)).toEqual([1_000, 6_000]);
  });

  it("refreshes on a timer while someone asks, each slot from the last read's start, and stops once nobody asked for the idle time", async () => {
    const h = await primed();
    expect(h.armed().map((t) => t.at)).toEqual([SHARE]);
    // Each refresh takes 800 ms; the next still starts 5 s after the one before started.
    for (let slot = SHARE; slot < IDLE; slot += SHARE) {
      await h.advanceTo(slot);
      expect(h.reads.at(-1)!.at).toBe(slot);
      await h.advanceTo(slot + 800);
      await h.answer(`v@${slot}`);
      expect(h.armed().map((t) => t.at)).toEqual([slot + SHARE]);
    }
    // The slot at 60 s finds nobody asked since 0: no read, no timer.
    await h.advanceTo(IDLE + 30_000);
    expect(h.reads.at(-1)!.at).toBe(IDLE - SHARE);
    expect(h.armed()).toEqual([]);
    expect(h.value.peek()).toEqual({ value: `v@${IDLE - SHARE}`, readAt: IDLE - SHARE });

    // What it holds is 35 s old now: the next request waits for a read, and the timer starts again.
    const asked = h.value.get();
    expect(h.reads.at(-1)!.at).toBe(IDLE + 30_000);
    await h.answer("fresh");
    expect(await asked).toEqual({ value: "fresh", readAt: IDLE + 30_000 });
    expect(h.armed().map((t) => t.at)).toEqual([IDLE + 30_000 + SHARE]);
  });

  it("never runs two reads at once, even when the timer fires during a slow one", async () => {
    const h = await primed();
    await h.advanceTo(SHARE);
    expect(h.reads).toHaveLength(2);
    // The read takes longer than a slot: no timer is armed while it runs, requests do not add one.
    h.setClock(SHARE + 12_000);
    expect((await h.value.get()).value).toBe("v1");
    expect(h.armed()).toEqual([]);
    expect(h.reads).toHaveLength(2);
    await h.answer("v2");
    // Its slot has passed: the next read is due at once.
    expect(h.armed().map((t) => t.at)).toEqual([SHARE + 12_000]);
  });

  it("refuses settings under which it could never serve what it holds", () => {
    const base = { read: async () => "x", idleMs: 1, now: () => 0, schedule: () => ({ cancel() {} }), onRefreshError: () => {} };
    expect(() => new RefreshingValue({ ...base, shareMs: 5_000, maxAgeMs: 5_000 })).toThrow(/shareMs < maxAgeMs/);
  });
});

describe("RefreshingValue after the clock went back", () => {
  it("serves the read made after the jump, not the one dated in the clock's future", async () => {
    const h = harness();
    h.setClock(100_000);
    const first = h.value.get();
    await h.answer("before the jump");
    expect((await first).readAt).toBe(100_000);

    // NTP steps the clock back a minute: what is held is dated 60 s ahead, its age unknown.
    h.setClock(40_000);
    const asked = h.value.get();
    expect(h.reads.map((r) => r.at)).toEqual([100_000, 40_000]);
    await h.answer("after the jump");
    expect(await asked).toEqual({ value: "after the jump", readAt: 40_000 });

    // And it is kept: the next request within the share window is served it without a read.
    h.setClock(41_000);
    expect(await h.value.get()).toEqual({ value: "after the jump", readAt: 40_000 });
    expect(h.reads).toHaveLength(2);
  });

  it("keeps refreshing on its timer after the jump instead of waiting out the jump", async () => {
    const h = harness();
    h.setClock(100_000);
    const first = h.value.get();
    await h.answer("v@100s");
    await first;
    expect(h.armed().map((t) => t.at)).toEqual([105_000]);
    // The clock steps back while the timer for the next slot (105 s) is armed; it fires 5 s later by its own count.
    h.setClock(40_000);
    const timer = h.armed()[0]!;
    timer.cancelled = true;
    timer.run();
    await h.settle();
    // A refresh starts now, not after the clock has caught up with 105 s.
    expect(h.reads.at(-1)!.at).toBe(40_000);
  });
});

describe("stopping a refreshing value", () => {
  // A process shutting down stops the value, then closes what it reads from (server.ts closes the
  // database): a read still in flight, now cut into slices with turns between its statements, must
  // not send its next statement to a closed database.
  it("resolves once the read in flight has settled, so what it reads from can be closed after", async () => {
    const h = await primed();
    h.setClock(SHARE); // past the share window: the next request starts a background refresh
    await h.value.get();
    expect(h.reads).toHaveLength(2);
    let stopped = false;
    const stopping = Promise.resolve(h.value.stop()).then(() => (stopped = true));
    await h.settle();
    expect(stopped).toBe(false);
    await h.fail("database closed");
    await stopping;
    expect(stopped).toBe(true);
    // The failure still went where a background refresh's failure goes; stop only waited for it.
    expect(h.refreshErrors.map((e) => (e.error as Error).message)).toEqual(["database closed"]);
    expect(h.armed()).toEqual([]);
  });

  it("resolves at once when no read is in flight", async () => {
    const h = await primed();
    let stopped = false;
    const stopping = Promise.resolve(h.value.stop()).then(() => (stopped = true));
    await h.settle();
    expect(stopped).toBe(true);
    await stopping;
    expect(h.armed()).toEqual([]);
  });
});
