/**
 * Group commit: callers that arrive while a write is under way wait for it and then go to the
 * database together, in one write. An idle system writes each call at once (no timer, no added
 * latency); a busy one writes fewer, larger statements. On the embedded database one statement
 * of 1,000 agents' samples costs about a tenth per sample of 1,000 statements of one
 * (bench/scale.ts, docs/benchmarks.md), and every statement saved is time the single connection
 * gives back to the wall's reads.
 *
 * If a group's write fails, each of its calls is written again on its own, so one bad call (an
 * endpoint removed between its sign-in and its write) fails alone instead of taking the others
 * with it.
 *
 * What may wait is capped (`maxWaiting`): when the database falls behind (or a write hangs), a
 * call beyond the cap is refused at once with GroupCommitFull, which the route guard answers
 * with 503 and Retry-After. Without it every new request's body stayed in memory until the
 * process ran out, and the agents, whose posts time out after 10 s, sent the same samples again
 * on top of the copies still queued.
 *
 * What may wait is also bounded in time (`maxWaitMs`): a call still queued after it is refused
 * with GroupCommitExpired (a GroupCommitFull, so also 503) when its group is formed, instead of
 * being written. Ingest stamps a sample's arrival when the request arrives, and the roll-ups
 * re-read only a short overlap behind what they have read by arrival (lib/telemetry/rollup.ts):
 * a sample written minutes after its stamp would land behind their watermark and never be
 * rolled up. Refused, it stays in the agent's spool and comes back with a fresh stamp.
 */
import "server-only";

export type GroupWriter<T, R> = (items: readonly T[]) => Promise<R[]>;

export type GroupCommitOptions<T> = {
  /** The most a group may hold, in the items' own measure (samples, rows). */
  maxWeight: number;
  /**
   * The most that may wait for the next write, in the same measure: a call that would take the
   * waiting weight past it is refused. A call is never refused when nothing waits, so one heavier
   * than the cap still goes through.
   */
  maxWaiting: number;
  weightOf: (item: T) => number;
  /**
   * Whether a failed group is written again one call at a time (the default), to find the one
   * call at fault. False for writes no single call can make fail (a lookup by key): there a
   * failure is the database's, and N more attempts only keep the callers waiting longer (N
   * connection timeouts in a row while the database is unreachable). A function decides by the
   * group's error: a statement the database cancelled for taking too long would take as long
   * again N times, one call at a time.
   */
  retryAlone?: boolean | ((error: unknown) => boolean);
  /** The longest a call may wait for its group before it is refused instead of written; none by default. */
  maxWaitMs?: number;
  /** A monotonic clock in milliseconds for maxWaitMs (performance.now; tests step their own). */
  clock?: () => number;
};

/** Too much is waiting already: the caller should answer "busy, try again later". */
export class GroupCommitFull extends Error {
  constructor(readonly waiting: number) {
    super(`The database is behind: ${waiting} call(s) are already waiting to be written. Try again later.`);
    this.name = "GroupCommitFull";
  }
}

/** A call waited for its group longer than the writer allows (maxWaitMs): refused, not written. */
export class GroupCommitExpired extends GroupCommitFull {
  constructor(
    waiting: number,
    readonly waitedMs: number,
  ) {
    super(waiting);
    this.message = `The database is behind: this call waited ${Math.round(waitedMs / 1000)} s to be written and was not. Try again later.`;
    this.name = "GroupCommitExpired";
  }
}

type Waiting<T, R> = { item: T; weight: number; since: number; resolve: (result: R) => void; reject: (error: unknown) => void };

export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private queuedWeight = 0;
  private writing = false;

  constructor(
    private readonly write: GroupWriter<T, R>,
    private readonly options: GroupCommitOptions<T>,
  ) {}

  /** Resolves with this item's result once the group holding it is written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const weight = this.options.weightOf(item);
      if (this.queue.length > 0 && this.queuedWeight + weight > this.options.maxWaiting) return reject(new GroupCommitFull(this.queue.length));
      this.queuedWeight += weight;
      this.queue.push({ item, weight, since: this.now(), resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Calls waiting for the next write (for /metrics and tests). */
  get waiting(): number {
    return this.queue.length;
  }

  private now(): number {
    return (this.options.clock ?? performance.now.bind(performance))();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        this.refuseExpired();
        if (this.queue.length > 0) await this.writeGroup(this.takeGroup());
      }
    } finally {
      this.writing = false;
    }
  }

  /** Refuses the calls that waited longer than maxWaitMs (the oldest are first in the queue). */
  private refuseExpired() {
    const { maxWaitMs } = this.options;
    if (maxWaitMs === undefined) return;
    const now = this.now();
    let expired = 0;
    while (expired < this.queue.length && now - this.queue[expired]!.since > maxWaitMs) expired += 1;
    for (const waiting of this.queue.splice(0, expired)) {
      this.queuedWeight -= waiting.weight;
      waiting.reject(new GroupCommitExpired(this.queue.length, now - waiting.since));
    }
  }

  /** The oldest waiting calls, up to the weight limit (always at least one, however heavy). */
  private takeGroup(): Waiting<T, R>[] {
    let weight = 0;
    let count = 0;
    for (const waiting of this.queue) {
      if (count > 0 && weight + waiting.weight > this.options.maxWeight) break;
      weight += waiting.weight;
      count += 1;
    }
    this.queuedWeight -= weight;
    return this.queue.splice(0, count);
  }

  private async writeGroup(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map((w) => w.item));
      if (results.length !== group.length) throw new Error(`A group write returned ${results.length} results for ${group.length} items.`);
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      const { retryAlone = true } = this.options;
      if (group.length === 1 || !(typeof retryAlone === "function" ? retryAlone(error) : retryAlone)) return group.forEach((w) => w.reject(error));
      for (const waiting of group) await this.writeGroup([waiting]);
    }
  }
}
