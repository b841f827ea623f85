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
   * connection timeouts in a row while the database is unreachable).
   */
  retryAlone?: boolean;
};

/** Too much is waiting already: the caller should answer "busy, try again later". */
export class GroupCommitFull extends Error {
  constructor(readonly waiting: number) {
    super(`The database is behind: ${waiting} call(s) are already waiting to be written. Try again later.`);
    this.name = "GroupCommitFull";
  }
}

type Waiting<T, R> = { item: T; weight: number; resolve: (result: R) => void; reject: (error: unknown) => void };

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
      this.queue.push({ item, weight, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Calls waiting for the next write (for /metrics and tests). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) await this.writeGroup(this.takeGroup());
    } finally {
      this.writing = false;
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
      if (group.length === 1 || this.options.retryAlone === false) return group.forEach((w) => w.reject(error));
      for (const waiting of group) await this.writeGroup([waiting]);
    }
  }
}
