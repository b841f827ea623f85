/**
 * A large read as a run of smaller statements: each page starts after the last row of the page
 * before (keyset), and the next is asked for once this one is in hand.
 *
 * Why: the driver turns a statement's whole answer into rows, and drizzle maps every row, in one
 * piece on the console's thread. At 10,000 tunnels the wall's snapshot read 10,000 tile rows and
 * 20,000 endpoint rows that way every 5 s, and each read held the event loop for hundreds of
 * milliseconds (placed by a CPU profile against the event-loop probe's stalls, docs/benchmarks.md
 * "Fleet scale"). A page of a thousand rows is a few milliseconds, and the loop turns between
 * pages while the database answers the next.
 *
 * The pages are separate statements: a change committed between two of them shows in the later
 * pages only. For the wall's keys (a tenant's slug and a tunnel's ordinal, an endpoint's id: none
 * of them ever changes) no row is read twice; a tenant offboarded mid-read may keep the tiles of
 * its first page for one snapshot, 5 s, as its tiles and its ends (separate statements) could
 * already disagree before.
 */
import "server-only";

/** Rows per page: a few milliseconds of the driver's and drizzle's work on a quiet machine (2,000 still made stalls of 200–360 ms at load average 15). */
export const PAGE_ROWS = 1_000;

/** `Infinity`: one statement, every row (what a test or a benchmark compares against). */
export type PageOptions = { pageRows?: number };

/** The largest LIMIT a statement is given when a read is not paged (PostgreSQL takes a bigint). */
const NO_LIMIT = 2_147_483_647;

/**
 * Every row, read `pageRows` at a time: `readPage(after, limit)` returns up to `limit` rows that
 * follow `after` (the previous page's last row; null for the first) in a fixed order. A page
 * shorter than `limit` is the last.
 */
export async function readInPages<T>(readPage: (after: T | null, limit: number) => Promise<T[]>, options: PageOptions = {}): Promise<T[]> {
  const pageRows = options.pageRows ?? PAGE_ROWS;
  if (!(pageRows >= 1)) throw new Error(`pageRows must be at least 1, got ${pageRows}`);
  const limit = Number.isFinite(pageRows) ? Math.floor(pageRows) : NO_LIMIT;
  const rows: T[] = [];
  for (let after: T | null = null; ; ) {
    const page = await readPage(after, limit);
    for (const row of page) rows.push(row);
    if (page.length < limit || page.length === 0) return rows;
    after = page[page.length - 1]!;
  }
}
