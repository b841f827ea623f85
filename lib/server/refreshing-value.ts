/**
 * One value read from somewhere slow, kept per process and refreshed in the background while
 * anyone asks for it (stale-while-revalidate), so that a caller never waits for the read unless
 * what is held is too old to serve.
 *
 * - Younger than `shareMs`: served as it is.
 * - Older than that but younger than `maxAgeMs`: served at once, and a refresh starts.
 * - Older than `maxAgeMs`, or nothing held: the caller waits for a read (the one running, if
 *   any), and gets its error when it fails: a value that old is not passed off as current.
 * - While someone asked within `idleMs`, the value is refreshed every `shareMs` on a timer, each
 *   slot counted from the start of the read before it (not from when the timer happened to
 *   fire), so callers find it young; after that, nothing is read until someone asks again.
 * - Never two reads at once. A read that fails leaves the held value in place (until it is too
 *   old, above) and is logged; the next attempt waits for the next slot.
 *
 * `readAt` is the clock when the read started: whatever the value says about "now" was true then,
 * not when it is served. Clock and timer are injected so tests order events themselves.
 */
import "server-only";

export type Held<T> = { value: T; readAt: number };

export type RefreshingValueOptions<T> = {
  read: (at: Date) => Promise<T>;
  shareMs: number;
  maxAgeMs: number;
  idleMs: number;
  now: () => number;
  /** Runs `run` after `delayMs`; `cancel` stops it. */
  schedule: (run: () => void, delayMs: number) => { cancel(): void };
  /** What a failed background refresh says in the log. */
  onRefreshError: (error: unknown, held: Held<T> | null) => void;
};

export class RefreshingValue<T> {
  private held: Held<T> | null = null;
  private reading: Promise<Held<T>> | null = null;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastAskedAt = Number.NEGATIVE_INFINITY;
  private timer: { cancel(): void } | null = null;
  private stopped = false;

  constructor(private readonly options: RefreshingValueOptions<T>) {
    if (!(options.shareMs > 0 && options.maxAgeMs > options.shareMs && options.idleMs > 0)) {
      throw new Error(`A refreshing value needs 0 < shareMs < maxAgeMs and idleMs > 0 (got ${options.shareMs}, ${options.maxAgeMs}, ${options.idleMs}).`);
    }
  }

  /** The value to serve now: held if young enough, else the result of a read. */
  async get(): Promise<Held<T>> {
    const now = this.options.now();
    this.lastAskedAt = now;
    const held = this.held;
    const age = held ? now - held.readAt : Number.POSITIVE_INFINITY;
    // A clock that went back makes the age negative: that value's age is unknown, so it is read again.
    if (held && age >= 0 && age < this.options.maxAgeMs) {
      if (age >= this.options.shareMs && now - this.lastAttemptAt >= this.options.shareMs) this.refreshInBackground();
      this.keepRefreshing();
      return held;
    }
    try {
      return await this.refresh();
    } finally {
      this.keepRefreshing();
    }
  }

  /** What is held, without reading or counting as a request (for tests and metrics). */
  peek(): Held<T> | null {
    return this.held;
  }

  /** Whether get() would answer now from what is held, without waiting for a read (not counted as a request). */
  servesAtOnce(): boolean {
    if (!this.held) return false;
    const age = this.options.now() - this.held.readAt;
    return age >= 0 && age < this.options.maxAgeMs;
  }

  /**
   * Stops the timer for good (a process shutting down, a test ending). Resolves once the read in
   * flight, if any, has settled, so what it reads from can be closed after it: a read's outcome is
   * its callers' (a request's error, or onRefreshError), so it is only waited for here.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.reading?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** The read running, or a new one. */
  private refresh(): Promise<Held<T>> {
    if (this.reading) return this.reading;
    const at = this.options.now();
    this.lastAttemptAt = at;
    const reading = this.options.read(new Date(at)).then((value) => {
      // Reads never overlap, so this one started after the held one's: it replaces it, even when
      // the clock went back and the held one is dated later (keeping that one would serve it,
      // after a read per request, until the clock caught up).
      const held = { value, readAt: at };
      this.held = held;
      return held;
    });
    this.reading = reading;
    const settle = () => {
      if (this.reading === reading) this.reading = null;
      this.keepRefreshing();
    };
    reading.then(settle, settle);
    return reading;
  }

  private refreshInBackground() {
    this.refresh().catch((error: unknown) => this.options.onRefreshError(error, this.held));
  }

  /** Arms the timer for the next slot, unless one is armed, a read runs (it arms it when done), or nobody is watching. */
  private keepRefreshing() {
    if (this.stopped || this.timer || this.reading) return;
    const now = this.options.now();
    if (now - this.lastAskedAt >= this.options.idleMs) return;
    // At most one slot away: a last attempt dated ahead of a clock that went back is not waited for.
    const delay = Math.min(this.options.shareMs, Math.max(0, this.lastAttemptAt + this.options.shareMs - now));
    this.timer = this.options.schedule(() => {
      this.timer = null;
      const at = this.options.now();
      if (at - this.lastAskedAt >= this.options.idleMs) return;
      // Due when its slot has come, or when the clock went back past the last attempt (the slot
      // cannot be counted; waiting for the clock to catch up would stop the refreshes).
      const sinceAttempt = at - this.lastAttemptAt;
      if (sinceAttempt >= this.options.shareMs || sinceAttempt < 0) this.refreshInBackground();
      else this.keepRefreshing();
    }, delay);
  }
}
