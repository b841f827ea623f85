/**
 * Roll-ups: raw samples into 1-minute buckets, 1-minute buckets into 1-hour buckets, in SQL and
 * a bounded chunk at a time, so a chart of a month reads 720 rows instead of half a million.
 *
 * What to recompute is found by ARRIVAL (received_at), not by measurement time. Ingest accepts
 * samples up to 7 days old (an agent delivering its backlog after an outage) and re-sends, so
 * "every complete minute after the last one rolled up" would miss a late sample for good. Each
 * roll-up keeps a watermark in telemetry_watermarks, "everything received up to here is in",
 * and a chunk recomputes from scratch every bucket touched by a sample received after it:
 *
 *   1m: buckets of samples received in (watermark − overlap, upper] ← aggregate of ALL raw samples in the bucket
 *   1h: hours of samples received in (watermark − overlap, upper]   ← weighted aggregate of the hour's 1m buckets
 *       (upper never passes the 1m watermark, so the 1m buckets it reads are already up to date)
 *
 * Recomputing a bucket from its source is idempotent: a re-run, a re-sent sample or two
 * instances doing the same chunk all land on the same row. A partial minute (the current one,
 * or one an agent is still catching up on) is rolled up too and simply recomputed when more of
 * its samples arrive; that keeps charts current without a second, time-based watermark for
 * samples that agents with a fast clock measure "in the future".
 *
 * received_at is stamped by the app before its transaction commits, and app instances' clocks
 * differ a little; re-reading an overlap behind the watermark covers both. The watermark row is
 * locked for the chunk, so concurrent callers take turns (the maintenance job also holds an
 * advisory lock, lib/telemetry/maintenance.ts).
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { BUCKET_ORIGIN, epochMs, queryRows, timeParam } from "./sql";

export const ROLLUP_LIMITS = {
  /** Samples (by arrival) one 1-minute chunk takes on: bounds the raw rows a chunk reads. */
  chunkSamples: 20_000,
  /**
   * The same for a 1-hour chunk. Larger: its cost goes with the (endpoint, hour) pairs touched,
   * each re-aggregated from up to 60 minute rows, and every slice of a backlog by arrival
   * touches the current hour of every endpoint again.
   */
  hourChunkSamples: 100_000,
  /** Chunks per call; a backlog larger than this is finished by the next calls. */
  maxChunks: 10,
  /** Re-read this far behind the watermark: commit delay and clock skew between app instances. */
  overlapMs: 2 * 60_000,
};

export const WATERMARK = { minutes: "rollup-1m", hours: "rollup-1h" } as const;

/**
 * Runs one bounded step in a transaction of its own and returns its result, or null when the
 * step was not run (the maintenance job's runner returns null when another instance holds it).
 */
export type StepRunner = <T>(work: (tx: Database) => Promise<T>) => Promise<T | null>;

export type RollupOptions = { now: Date; chunkSamples?: number; maxChunks?: number; step?: StepRunner };
export type ChunkResult = { buckets: number; caughtUp: boolean; through: Date | null };
export type RollupResult = { buckets: number; chunks: number; caughtUp: boolean; skipped: boolean; through: Date | null };

/** Rolls raw samples into 1-minute buckets, chunk by chunk, until caught up or out of chunks. */
export function rollUpMinutes(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.chunkSamples, (tx, chunkSamples) => rollUpMinuteChunk(tx, { now: options.now, chunkSamples }));
}

/** Rolls 1-minute buckets into 1-hour buckets, never past what the 1-minute roll-up has read. */
export function rollUpHours(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.hourChunkSamples, (tx, chunkSamples) => rollUpHourChunk(tx, { chunkSamples }));
}

async function repeatChunks(
  db: Database,
  options: RollupOptions,
  defaultChunkSamples: number,
  chunk: (tx: Database, chunkSamples: number) => Promise<ChunkResult>,
): Promise<RollupResult> {
  const chunkSamples = options.chunkSamples ?? defaultChunkSamples;
  const maxChunks = options.maxChunks ?? ROLLUP_LIMITS.maxChunks;
  if (!Number.isInteger(chunkSamples) || chunkSamples < 1) throw new RangeError(`chunkSamples must be a whole number of at least 1, not ${chunkSamples}.`);
  if (!Number.isInteger(maxChunks) || maxChunks < 1) throw new RangeError(`maxChunks must be a whole number of at least 1, not ${maxChunks}.`);
  const step: StepRunner = options.step ?? ((work) => db.transaction(work));
  const total: RollupResult = { buckets: 0, chunks: 0, caughtUp: false, skipped: false, through: null };
  while (total.chunks < maxChunks) {
    const result = await step((tx) => chunk(tx, chunkSamples));
    if (!result) return { ...total, skipped: true };
    total.chunks += 1;
    total.buckets += result.buckets;
    total.through = result.through;
    if (result.caughtUp) return { ...total, caughtUp: true };
  }
  return total;
}

/** One chunk of the 1-minute roll-up. The caller owns the transaction. */
export async function rollUpMinuteChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const watermark = await lockWatermark(tx, WATERMARK.minutes);
  const { upper, caughtUp } = await chunkEnd(tx, watermark, options.now, options.chunkSamples);
  const buckets = await upsertBuckets(
    tx,
    "1m",
    sql`
      select t.endpoint_id, t.bucket,
        count(*)::int as samples,
        avg(s.rtt_ms) as rtt_avg_ms, min(s.rtt_ms) as rtt_min_ms, max(s.rtt_ms) as rtt_max_ms, count(s.rtt_ms)::int as rtt_samples,
        avg(s.jitter_ms) as jitter_avg_ms, count(s.jitter_ms)::int as jitter_samples,
        avg(s.loss_pct) as loss_avg_pct, count(s.loss_pct)::int as loss_samples,
        (count(*) filter (where s.df_probe_ok = false))::int as df_probe_failures,
        max(s.bum_pps) as bum_pps_max, max(s.learned_macs) as learned_macs_max
      from (${touchedBuckets("1 minute", watermark, upper)}) t
      join telemetry_samples s
        on s.endpoint_id = t.endpoint_id and s.measured_at >= t.bucket and s.measured_at < t.bucket + interval '1 minute'
      group by t.endpoint_id, t.bucket`,
  );
  await saveWatermark(tx, WATERMARK.minutes, upper);
  return { buckets, caughtUp, through: upper };
}

/** One chunk of the 1-hour roll-up. The caller owns the transaction. */
export async function rollUpHourChunk(tx: Database, options: { chunkSamples: number }): Promise<ChunkResult> {
  const watermark = await lockWatermark(tx, WATERMARK.hours);
  const minutesThrough = await readWatermark(tx, WATERMARK.minutes);
  if (!minutesThrough) return { buckets: 0, caughtUp: true, through: watermark };
  const { upper, caughtUp } = await chunkEnd(tx, watermark, minutesThrough, options.chunkSamples);
  // Averages are weighted by how many samples carried the measurement, so an hour's average is
  // exactly the average of its raw samples, not an average of minute averages.
  const buckets = await upsertBuckets(
    tx,
    "1h",
    sql`
      select t.endpoint_id, t.bucket,
        sum(m.samples)::int as samples,
        sum(m.rtt_avg_ms * m.rtt_samples) / nullif(sum(m.rtt_samples), 0) as rtt_avg_ms,
        min(m.rtt_min_ms) as rtt_min_ms, max(m.rtt_max_ms) as rtt_max_ms, sum(m.rtt_samples)::int as rtt_samples,
        sum(m.jitter_avg_ms * m.jitter_samples) / nullif(sum(m.jitter_samples), 0) as jitter_avg_ms, sum(m.jitter_samples)::int as jitter_samples,
        sum(m.loss_avg_pct * m.loss_samples) / nullif(sum(m.loss_samples), 0) as loss_avg_pct, sum(m.loss_samples)::int as loss_samples,
        sum(m.df_probe_failures)::int as df_probe_failures,
        max(m.bum_pps_max) as bum_pps_max, max(m.learned_macs_max) as learned_macs_max
      from (${touchedBuckets("1 hour", watermark, upper)}) t
      join telemetry_rollups m
        on m.endpoint_id = t.endpoint_id and m.resolution = '1m' and m.bucket_start >= t.bucket and m.bucket_start < t.bucket + interval '1 hour'
      group by t.endpoint_id, t.bucket`,
  );
  await saveWatermark(tx, WATERMARK.hours, upper);
  return { buckets, caughtUp, through: upper };
}

/** The (endpoint, bucket) pairs of samples received after the watermark (less the overlap), up to upper. */
function touchedBuckets(width: "1 minute" | "1 hour", watermark: Date | null, upper: Date): SQL {
  const lower = watermark ? timeParam(new Date(watermark.getTime() - ROLLUP_LIMITS.overlapMs)) : sql`'-infinity'::timestamptz`;
  return sql`
    select distinct endpoint_id, date_bin(${sql.raw(`'${width}'`)}, measured_at, ${BUCKET_ORIGIN}) as bucket
    from telemetry_samples
    where received_at > ${lower} and received_at <= ${timeParam(upper)}`;
}

/**
 * Where this chunk stops: after chunkSamples samples by arrival, or at `limit` when fewer are
 * left. Never behind the watermark, so a clock that went back cannot rewind it.
 */
async function chunkEnd(tx: Database, watermark: Date | null, limit: Date, chunkSamples: number): Promise<{ upper: Date; caughtUp: boolean }> {
  const after = watermark ? timeParam(watermark) : sql`'-infinity'::timestamptz`;
  const [nth] = await queryRows<{ ms: number }>(
    tx,
    sql`select ${epochMs(sql`received_at`)} as ms from telemetry_samples
        where received_at > ${after} and received_at <= ${timeParam(limit)}
        order by received_at offset ${chunkSamples - 1} limit 1`,
  );
  // Rounding up to whole milliseconds (received_at may carry microseconds) only takes a few
  // more samples into this chunk, and always moves the watermark forward.
  if (nth) return { upper: new Date(Math.ceil(nth.ms)), caughtUp: false };
  const upper = watermark && watermark > limit ? watermark : limit;
  return { upper, caughtUp: true };
}

const ROLLUP_COLUMNS = [
  "samples",
  "rtt_avg_ms",
  "rtt_min_ms",
  "rtt_max_ms",
  "rtt_samples",
  "jitter_avg_ms",
  "jitter_samples",
  "loss_avg_pct",
  "loss_samples",
  "df_probe_failures",
  "bum_pps_max",
  "learned_macs_max",
] as const;

/**
 * Writes freshly aggregated buckets over whatever is stored. A bucket whose figures did not
 * change is left alone (no dead row for every overlap re-read). Returns how many were written.
 */
async function upsertBuckets(tx: Database, resolution: "1m" | "1h", aggregate: SQL): Promise<number> {
  const columns = sql.raw(ROLLUP_COLUMNS.join(", "));
  const assignments = sql.raw(ROLLUP_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", "));
  const stored = sql.raw(ROLLUP_COLUMNS.map((c) => `telemetry_rollups.${c}`).join(", "));
  const incoming = sql.raw(ROLLUP_COLUMNS.map((c) => `excluded.${c}`).join(", "));
  const [row] = await queryRows<{ written: number }>(
    tx,
    sql`
      with fresh as (${aggregate}),
      written as (
        insert into telemetry_rollups (endpoint_id, resolution, bucket_start, ${columns})
        select endpoint_id, ${resolution}::rollup_resolution, bucket, ${columns} from fresh
        on conflict (endpoint_id, resolution, bucket_start) do update set ${assignments}
        where (${stored}) is distinct from (${incoming})
        returning 1
      )
      select count(*)::int as written from written`,
  );
  return row?.written ?? 0;
}

/** Reads a watermark and locks its row for this transaction (made at -infinity on first use). */
async function lockWatermark(tx: Database, name: string): Promise<Date | null> {
  await tx.execute(sql`insert into telemetry_watermarks (name, received_through) values (${name}, '-infinity') on conflict (name) do nothing`);
  return readWatermark(tx, name, true);
}

export async function readWatermark(db: Database, name: string, forUpdate = false): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(
    db,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms
        from telemetry_watermarks where name = ${name} ${forUpdate ? sql`for update` : sql``}`,
  );
  return row?.ms == null ? null : new Date(row.ms);
}

async function saveWatermark(tx: Database, name: string, through: Date) {
  await tx.execute(sql`update telemetry_watermarks set received_through = ${timeParam(through)}, updated_at = now() where name = ${name}`);
}
