/**
 * A count of the requests one process is handling, with a ceiling: a request that would go past
 * it is turned away at once instead of joining the others.
 *
 * Why, for the agents' telemetry posts: a console that falls behind does not slow down evenly.
 * Every post it has taken holds its body, its parsed samples and its promises until its group is
 * written, so the heap's young generation fills with live objects and each scavenge copies more
 * of them; the scavenges then take more of the thread, the posts wait longer, and more of them
 * are live at once. At the full load of issue 16 on one machine, 1,000 posts in progress per
 * console took a quarter of each console's time in scavenges and the wall's reads waited 7–10 s
 * (docs/benchmarks.md, "Fleet scale"). Turned away with 503 and Retry-After, an agent keeps its
 * samples in its spool and sends them later as one batch: fewer, larger posts, which cost the
 * console far less per sample than the single ones they replace.
 */
import "server-only";

export class PostsInProgress {
  private count = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`The limit of posts in progress must be a whole number of at least 1, not ${limit}.`);
  }

  /** Counts a request in, or returns false (and counts nothing) when `limit` are in progress already. */
  tryEnter(): boolean {
    if (this.count >= this.limit) return false;
    this.count += 1;
    return true;
  }

  /** Counts a request out: once for every tryEnter that returned true, whatever became of it. */
  leave(): void {
    if (this.count === 0) throw new Error("A request left that was never counted in.");
    this.count -= 1;
  }

  get inProgress(): number {
    return this.count;
  }
}
