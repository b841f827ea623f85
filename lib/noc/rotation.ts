/**
 * The wall's page rotation (and the ticker's): page k is due at start + k × period. Each step is
 * scheduled from the slot it belongs to, never from "now + period", so timers that fire late do
 * not push every later page back, and a timer that fires early (browsers do, by a millisecond or
 * two, and throttle background tabs) waits out the rest of its slot instead of turning early. A
 * clock set back by more than a slot restarts the count from then, rather than freezing the page.
 *
 * The clock is passed in: the wall gives it the browser's, tests a fake one.
 */

export type RotationClock = {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** The first slot boundary after `now` (start + k × period, k ≥ 1), as a rotation started at `start` has them. */
export function nextSlotAt(start: number, periodMs: number, now: number): number {
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) throw new RangeError(`A rotation's period must be a positive number of milliseconds; got ${String(periodMs)}.`);
  const elapsed = Math.max(0, now - start);
  return start + (Math.floor(elapsed / periodMs) + 1) * periodMs;
}

/**
 * Calls `onPage(1)`, `onPage(2)`, … `onPage(pages − 1)`, `onPage(0)`, … one slot apart, from the
 * clock's time now (page 0 is showing). A timer that fires very late (a suspended screen) moves
 * on one page, to the slot its time is in, not through every page it missed. Returns a stop
 * function; nothing runs for fewer than two pages.
 */
export function startRotation(options: { pages: number; periodMs: number; clock: RotationClock; onPage: (page: number) => void }): () => void {
  const { pages, periodMs, clock, onPage } = options;
  if (pages <= 1) return () => {};
  let start = clock.now();
  let page = 0;
  let due = nextSlotAt(start, periodMs, start);
  let handle: unknown = null;
  let stopped = false;

  const arm = () => {
    handle = clock.setTimeout(tick, Math.max(0, due - clock.now()));
  };
  const tick = () => {
    if (stopped) return;
    const now = clock.now();
    // The clock was set back by more than a slot (an NTP step, a wall PC's clock fixed by hand):
    // counted from the old start, the next turn would wait out the whole step. Start again from now.
    if (now < due - periodMs) {
      start = now;
      due = nextSlotAt(start, periodMs, now);
    }
    if (now < due) {
      arm();
      return;
    }
    page = (page + 1) % pages;
    onPage(page);
    due = nextSlotAt(start, periodMs, now);
    arm();
  };
  arm();
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}

/** The browser's clock. */
export const browserClock: RotationClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => window.setTimeout(run, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};
