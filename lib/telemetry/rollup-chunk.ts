/**
 * Where a roll-up chunk starts and stops, as SQL the chunk's own statement runs (lib/telemetry/rollup.ts):
 * the chunk's samples are taken in arrival order in one walk of the arrival index, and its end is
 * computed from them in the same statement.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { BUCKET_ORIGIN, timeParam } from "./sql";

/** After `time`, or after the beginning (no watermark yet). */
export const afterTime = (time: Date | null): SQL => (time ? timeParam(time) : sql`'-infinity'::timestamptz`);

/** The columns of a sample the 1-minute roll-up reads. */
export const SAMPLE_COLUMNS = sql.raw("endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_ok, bum_pps, learned_macs");

/**
 * The next chunk of samples by arrival after `watermark` (up to `limit`), as the CTEs `taken`
 * (its first chunkSamples samples in arrival order, one walk of the arrival index) and `cut`
 * (chunkCut). Finding where a chunk ends used to be a statement of its own walking the same
 * index entries first (22–24 % of a backlog's time, bench/rollup.ts), and the chunk's read by
 * range then took whatever plan the statistics of the moment gave it (some chunks of a backlog
 * took seconds). Keeping the taken rows costs about what the second walk did; what the one
 * statement buys is one plan.
 */
export function arrivalChunk(watermark: Date | null, limit: Date, chunkSamples: number, columns: SQL): SQL {
  return sql`
    taken as materialized (
      select ${columns} from telemetry_samples
      where received_at > ${afterTime(watermark)} and received_at <= ${timeParam(limit)}
      order by received_at limit ${chunkSamples}
    ),
    ${chunkCut(sql`select count(*) as taken, min(received_at) as first, max(received_at) as last from taken`, watermark, limit, chunkSamples)}`;
}

/**
 * Where a chunk stops (CTE `cut`), from how many samples it took in arrival order and when the
 * first and last of them arrived (`taken`, `first`, `last`): after chunkSamples samples, or
 * at `limit` when fewer are left (never behind the watermark, so a clock that went back cannot
 * rewind it; `more` false: caught up). Samples received at or after `split` may lie past the
 * ones taken (ties with the last), so they are read by range up to `upper`.
 *
 * A chunk that stops early stops at the start of its last minute of arrivals when some of its
 * samples came before it: the samples an agent measures in one minute arrive in that minute (or
 * the next), so cutting between arrival minutes rather than in the middle of one leaves each
 * bucket to one chunk instead of computing it twice, once half-filled. Otherwise (a minute of
 * arrivals larger than a chunk) it stops just past its last sample, rounded up to the
 * millisecond: the watermark travels through JavaScript's milliseconds, and rounding up only
 * takes a few more samples in.
 */
export function chunkCut(stats: SQL, watermark: Date | null, limit: Date, chunkSamples: number): SQL {
  const minute = sql`date_bin('1 minute', e.last, ${BUCKET_ORIGIN})`;
  const lastMs = sql`date_trunc('milliseconds', e.last)`;
  return sql`
    cut as (
      select
        case when e.taken < ${chunkSamples} then 'infinity'::timestamptz else e.last end as split,
        case when e.taken < ${chunkSamples} then greatest(${timeParam(limit)}, ${afterTime(watermark)})
             when ${minute} >= e.first then ${minute}
             when ${lastMs} = e.last then e.last
             else ${lastMs} + interval '1 millisecond' end as upper,
        e.taken >= ${chunkSamples} as more
      from (${stats}) e
    )`;
}

/**
 * Runs one statement with sorting ruled out. Only a walk of the arrival index in order finds the
 * chunk's samples without reading every one after them; with statistics that predate a backlog
 * (PGlite has no autovacuum) the planner counted on a few rows and sorted them instead: all
 * 720,000 of an hour's backlog at 1,000 tunnels, 4.4 s for its first chunk (bench/rollup.ts).
 * Nothing else in the roll-ups' statements needs a sort (their groupings hash).
 */
export async function withoutSorts<T>(tx: Database, statement: () => Promise<T>): Promise<T> {
  await tx.execute(sql`set local enable_sort = off`);
  const result = await statement();
  await tx.execute(sql`set local enable_sort = on`);
  return result;
}
