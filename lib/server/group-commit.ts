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
 */
import "server-only";

export type GroupWriter<T, R> = (items: readonly T[]) => Promise<R[]>;

export type GroupCommitOptions<T> = {
  /** The most a group may hold, in the items' own measure (samples, rows). */
  maxWeight: number;
  weightOf: (item: T) => number;
};

type Waiting<T, R> = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };

export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private writing = false;

  constructor(
    private readonly write: GroupWriter<T, R>,
    private readonly options: GroupCommitOptions<T>,
  ) {}

  /** Resolves with this item's result once the group holding it is written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
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
      const next = this.options.weightOf(waiting.item);
      if (count > 0 && weight + next > this.options.maxWeight) break;
      weight += next;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async writeGroup(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map((w) => w.item));
      if (results.length !== group.length) throw new Error(`A group write returned ${results.length} results for ${group.length} items.`);
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const waiting of group) await this.writeGroup([waiting]);
    }
  }
}
