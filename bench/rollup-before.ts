/**
 * The roll-ups as they were before issue 16's work on them (lib/telemetry/rollup.ts and the
 * maintenance round of lib/telemetry/maintenance.ts at commit 7d6a607), kept here only so that
 * bench/rollup.ts can time old and new on the same data in the same run. Not used by the app.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { applyRetention } from "@/lib/telemetry/retention";
import { BUCKET_ORIGIN, epochMs, floorToMinute, queryRows, timeParam } from "@/lib/telemetry/sql";
import type { StepRunner } from "@/lib/telemetry/rollup";

const ROLLUP_LIMITS = {
  /** Samples (by arrival) one 1-minute chunk takes on: bounds the raw rows a chunk reads. */
  chunkSamples: 20_000,
  /**
   * The same for a 1-hour chunk. Much larger: its cost goes with the (endpoint, hour) pairs
   * touched, each re-aggregated from up to 60 minute rows, and every slice of a backlog by
   * arrival touches the current hour of every endpoint again, so fewer slices is less work.
   */
  hourChunkSamples: 500_000,
  /** Chunks per call; a backlog larger than this is finished by the next calls. */
  maxChunks: 10,
  /** Re-read this far behind the watermark: commit delay and clock skew between app instances. */
  overlapMs: 2 * 60_000,
};

const WATERMARK = { minutes: "rollup-1m", hours: "rollup-1h" } as const;


export type RollupOptions = { now: Date; chunkSamples?: number; maxChunks?: number; step?: StepRunner };
export type ChunkResult = { buckets: number; caughtUp: boolean; through: Date | null };
export type RollupResult = { buckets: number; chunks: number; caughtUp: boolean; skipped: boolean; through: Date | null };

/** Rolls raw samples into 1-minute buckets, chunk by chunk, until caught up or out of chunks. */
export function rollUpMinutesBefore(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.chunkSamples, (tx, chunkSamples) => rollUpMinuteChunk(tx, { now: options.now, chunkSamples }));
}

/** Rolls 1-minute buckets into 1-hour buckets, never past what the 1-minute roll-up has read. */
export function rollUpHoursBefore(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.hourChunkSamples, (tx, chunkSamples) => rollUpHourChunk(tx, { now: options.now, chunkSamples }));
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
    // A backlog: the tables just grew faster than the planner's statistics know (PGlite has no
    // autovacuum to notice). Stale statistics turned a chunk's 30 ms index scan into a 2 s sort
    // (bench/telemetry.ts); sampling them again costs a fraction of one chunk.
    if (total.chunks === 1 && (await step((tx) => tx.execute(sql`analyze telemetry_samples, telemetry_rollups`))) === null) return { ...total, skipped: true };
  }
  return total;
}

/** One chunk of the 1-minute roll-up. The caller owns the transaction. */
async function rollUpMinuteChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const { through: watermark, lower } = await lockWatermark(tx, WATERMARK.minutes);
  const { upper, caughtUp } = await chunkEnd(tx, watermark, options.now, options.chunkSamples);
  const buckets = await upsertBuckets(
    tx,
    "1m",
    sql`
      with chunk as (
        select endpoint_id, date_bin('1 minute', measured_at, ${BUCKET_ORIGIN}) as bucket, rtt_ms, jitter_ms, loss_pct, df_probe_ok, bum_pps, learned_macs
        from telemetry_samples
        where received_at > ${lower ? timeParam(lower) : sql`'-infinity'::timestamptz`} and received_at <= ${timeParam(upper)}
      ),
      touched as (select distinct endpoint_id, bucket from chunk),
      -- Buckets an earlier chunk rolled up hold samples from before this one: recomputed from
      -- all their samples. Every other bucket has all its samples in this chunk (anything
      -- received before it was read by an earlier chunk), so it is aggregated from the chunk's
      -- rows as they are, without reading them twice: in a backlog, nearly every bucket.
      -- (A probe per bucket, whatever the planner's statistics say: a scan of every minute row
      -- instead would make each chunk of a backlog slower than the one before.)
      known as (
        select t.endpoint_id, t.bucket from touched t
        cross join lateral (
          select from telemetry_rollups r where r.endpoint_id = t.endpoint_id and r.resolution = '1m' and r.bucket_start = t.bucket limit 1
        ) r
      ),
      samples as (
        select c.endpoint_id, c.bucket, c.rtt_ms, c.jitter_ms, c.loss_pct, c.df_probe_ok, c.bum_pps, c.learned_macs
        from chunk c where not exists (select from known k where k.endpoint_id = c.endpoint_id and k.bucket = c.bucket)
        union all
        select k.endpoint_id, k.bucket, s.rtt_ms, s.jitter_ms, s.loss_pct, s.df_probe_ok, s.bum_pps, s.learned_macs
        from known k
        join telemetry_samples s on s.endpoint_id = k.endpoint_id and s.measured_at >= k.bucket and s.measured_at < k.bucket + interval '1 minute'
      )
      select endpoint_id, bucket,
        count(*)::int as samples,
        avg(rtt_ms) as rtt_avg_ms, min(rtt_ms) as rtt_min_ms, max(rtt_ms) as rtt_max_ms, count(rtt_ms)::int as rtt_samples,
        avg(jitter_ms) as jitter_avg_ms, count(jitter_ms)::int as jitter_samples,
        avg(loss_pct) as loss_avg_pct, count(loss_pct)::int as loss_samples,
        (count(*) filter (where df_probe_ok = false))::int as df_probe_failures,
        max(bum_pps) as bum_pps_max, max(learned_macs) as learned_macs_max
      from samples
      group by endpoint_id, bucket`,
  );
  await saveWatermark(tx, WATERMARK.minutes, upper, options.now);
  return { buckets, caughtUp, through: upper };
}

/** One chunk of the 1-hour roll-up. The caller owns the transaction. */
async function rollUpHourChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const { through: watermark, lower } = await lockWatermark(tx, WATERMARK.hours);
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
      from (${touchedBuckets("1 hour", lower, upper)}) t
      join telemetry_rollups m
        on m.endpoint_id = t.endpoint_id and m.resolution = '1m' and m.bucket_start >= t.bucket and m.bucket_start < t.bucket + interval '1 hour'
      group by t.endpoint_id, t.bucket`,
  );
  await saveWatermark(tx, WATERMARK.hours, upper, options.now);
  return { buckets, caughtUp, through: upper };
}

/** The (endpoint, bucket) pairs of samples received after `lower`, up to `upper`. */
function touchedBuckets(width: "1 minute" | "1 hour", lower: Date | null, upper: Date): SQL {
  return sql`
    select distinct endpoint_id, date_bin(${sql.raw(`'${width}'`)}, measured_at, ${BUCKET_ORIGIN}) as bucket
    from telemetry_samples
    where received_at > ${lower ? timeParam(lower) : sql`'-infinity'::timestamptz`} and received_at <= ${timeParam(upper)}`;
}

/**
 * Where this chunk stops: after chunkSamples samples by arrival, or at `limit` when fewer are
 * left. Never behind the watermark, so a clock that went back cannot rewind it.
 *
 * A chunk that stops early stops at the start of its last minute of arrivals when it can: the
 * samples an agent measures in one minute arrive in that minute (or the next), so cutting
 * between arrival minutes rather than in the middle of one leaves each bucket to one chunk
 * instead of computing it twice, once half-filled. A backlog rolls up in about half the work.
 */
async function chunkEnd(tx: Database, watermark: Date | null, limit: Date, chunkSamples: number): Promise<{ upper: Date; caughtUp: boolean }> {
  const after = watermark ? timeParam(watermark) : sql`'-infinity'::timestamptz`;
  const [nth] = await queryRows<{ ms: number }>(
    tx,
    sql`select ${epochMs(sql`received_at`)} as ms from telemetry_samples
        where received_at > ${after} and received_at <= ${timeParam(limit)}
        order by received_at offset ${chunkSamples - 1} limit 1`,
  );
  if (nth) {
    const minute = floorToMinute(new Date(nth.ms));
    // Rounding up to whole milliseconds (received_at may carry microseconds) only takes a few
    // more samples into this chunk, and always moves the watermark forward.
    return { upper: watermark && minute <= watermark ? new Date(Math.ceil(nth.ms)) : minute, caughtUp: false };
  }
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

/**
 * Reads a watermark and locks its row for this transaction (made at -infinity on first use),
 * with where the chunk must start reading: the watermark, less the overlap if the watermark was
 * saved less than the overlap ago. A sample stamped received_at ≤ watermark that the last chunk
 * did not see committed after that chunk read, so it was stamped at most the overlap before
 * the chunk ran (commit delay and clock skew); a watermark saved long after it passed (a
 * backlog being worked through) needs no re-reading at all.
 */
async function lockWatermark(tx: Database, name: string): Promise<{ through: Date | null; lower: Date | null }> {
  await tx.execute(sql`insert into telemetry_watermarks (name, received_through) values (${name}, '-infinity') on conflict (name) do nothing`);
  const [row] = await queryRows<{ ms: number | null; saved_ms: number }>(
    tx,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms, ${epochMs(sql`updated_at`)} as saved_ms
        from telemetry_watermarks where name = ${name} for update`,
  );
  if (row?.ms == null) return { through: null, lower: null };
  const through = new Date(row.ms);
  return { through, lower: new Date(Math.min(row.ms, row.saved_ms - ROLLUP_LIMITS.overlapMs)) };
}

async function readWatermark(db: Database, name: string): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(
    db,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms
        from telemetry_watermarks where name = ${name}`,
  );
  return row?.ms == null ? null : new Date(row.ms);
}

/** `savedAt` is the caller's clock, the one ingest stamps received_at with, not the database's. */
async function saveWatermark(tx: Database, name: string, through: Date, savedAt: Date) {
  await tx.execute(sql`update telemetry_watermarks set received_through = ${timeParam(through)}, updated_at = ${timeParam(savedAt)} where name = ${name}`);
}

/** The maintenance round as it was: both roll-ups, retention, and ANALYZE every tenth minute. */
export async function runMaintenanceRoundBefore(db: Database, options: { now: Date; step: StepRunner }): Promise<{ caughtUp: boolean }> {
  const minutes = await rollUpMinutesBefore(db, { now: options.now, step: options.step });
  const hours = await rollUpHoursBefore(db, { now: options.now, step: options.step });
  const retention = await applyRetention(db, { now: options.now, step: options.step });
  if (options.now.getUTCMinutes() % 10 === 0) await options.step((tx) => tx.execute(sql`analyze telemetry_samples, telemetry_rollups`));
  return { caughtUp: minutes.caughtUp && hours.caughtUp && retention.done };
}
