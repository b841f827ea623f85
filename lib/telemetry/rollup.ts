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
 *   1m: buckets of samples received in (watermark, upper] ← aggregate of ALL raw samples in the bucket
 *   1h: hours of samples received in (watermark, upper]   ← weighted aggregate of the hour's 1m buckets
 *       (upper never passes the 1m watermark, so the 1m buckets it reads are already up to date)
 *
 * Recomputing a bucket from its source is idempotent: a re-run, a re-sent sample or two
 * instances doing the same chunk all land on the same row. A partial minute (the current one,
 * or one an agent is still catching up on) is rolled up too and simply recomputed when more of
 * its samples arrive; that keeps charts current without a second, time-based watermark for
 * samples that agents with a fast clock measure "in the future".
 *
 * received_at is stamped by the app before its transaction commits, and app instances' clocks
 * differ a little, so a sample may commit after a chunk read past its received_at. The 1-minute
 * roll-up covers that with an overlap behind its watermark (as long as the watermark is recent:
 * a chunk working through an old backlog needs none, see lockWatermark), but re-reads it only
 * when something committed in it since: each chunk stores a digest of the samples it saw there,
 * and the next compares it, in the same statement as its read: a round used to read three
 * minutes of samples for one of news, and recompute every bucket of the other two, for the rare
 * sample that commits late (most of a 6 s round at 1,000 tunnels, bench/rollup.ts). When it does re-read, it moves the 1-hour watermark back to where
 * it started, so the hours of the minutes it changed are done again; the 1-hour roll-up has no
 * overlap of its own. The watermark row is locked for the chunk, so concurrent callers take
 * turns (the maintenance job also holds an advisory lock, lib/telemetry/maintenance.ts).
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { afterTime, arrivalChunk, chunkCut, SAMPLE_COLUMNS, withoutSorts } from "./rollup-chunk";
import { BUCKET_ORIGIN, epochMs, queryRows, timeParam } from "./sql";
import { analyzeStaleTables } from "./table-statistics";

export const ROLLUP_LIMITS = {
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

export const WATERMARK = { minutes: "rollup-1m", hours: "rollup-1h" } as const;

/**
 * Runs one bounded step in a transaction of its own and returns its result, or null when the
 * step was not run (the maintenance job's runner returns null when another instance holds it).
 */
export type StepRunner = <T>(work: (tx: Database) => Promise<T>) => Promise<T | null>;

export type RollupOptions = { now: Date; chunkSamples?: number; maxChunks?: number; step?: StepRunner };
/** overlapReread: the chunk read the overlap behind the watermark again (a sample committed late, or no digest to check). */
export type ChunkResult = { buckets: number; caughtUp: boolean; through: Date | null; overlapReread: boolean };
export type RollupResult = { buckets: number; chunks: number; caughtUp: boolean; skipped: boolean; through: Date | null; overlapRereads: number };

/** Rolls raw samples into 1-minute buckets, chunk by chunk, until caught up or out of chunks. */
export function rollUpMinutes(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.chunkSamples, (tx, chunkSamples) => rollUpMinuteChunk(tx, { now: options.now, chunkSamples }));
}

/** Rolls 1-minute buckets into 1-hour buckets, never past what the 1-minute roll-up has read. */
export function rollUpHours(db: Database, options: RollupOptions): Promise<RollupResult> {
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
  const total: RollupResult = { buckets: 0, chunks: 0, caughtUp: false, skipped: false, through: null, overlapRereads: 0 };
  while (total.chunks < maxChunks) {
    const result = await step((tx) => chunk(tx, chunkSamples));
    if (!result) return { ...total, skipped: true };
    total.chunks += 1;
    total.buckets += result.buckets;
    total.through = result.through;
    if (result.overlapReread) total.overlapRereads += 1;
    if (result.caughtUp) return { ...total, caughtUp: true };
    // A backlog: the minute rows grow faster than the planner's statistics know (PGlite has no
    // autovacuum to notice), and without them each bucket's probe walked every endpoint's row of
    // that minute instead of the primary key. Sampled again once they grew by a tenth; the raw
    // samples (seconds to sample at fleet scale) wait for the round's end: no plan here needs them.
    if (total.chunks === 1 && (await step((tx) => analyzeStaleTables(tx, ["telemetry_rollups"]))) === null) return { ...total, skipped: true };
  }
  return total;
}

/** One chunk of the 1-minute roll-up. The caller owns the transaction. */
export async function rollUpMinuteChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const mark = await lockWatermark(tx, WATERMARK.minutes);
  // The overlap behind the watermark is re-read only if a sample committed in it since the last
  // chunk looked: its digest then differs from the one that chunk saw. The check, the read and
  // the digest for the next chunk are one statement, so one snapshot: a sample that commits
  // between them is either in all three or in none.
  // The digest this chunk stores vouches for every sample in (nextOverlapFrom, upper]: only what
  // it reads, or what the last digest vouched for, (mark.lower, …]. On a clock that reads
  // earlier than the last save's (stepped back, or another instance's running behind),
  // nextOverlapFrom lies below that, and a sample stamped in between on that clock would enter
  // the digest unread and never be read: that stretch is read now (the fixed overlap read it
  // one chunk later).
  const nextOverlapFrom = new Date(options.now.getTime() - ROLLUP_LIMITS.overlapMs);
  const clockBehind = mark.lower !== null && nextOverlapFrom < mark.lower;
  const readFrom = clockBehind ? nextOverlapFrom : mark.lower;
  const verifiable = !clockBehind && mark.through !== null && mark.lower !== null && mark.lower < mark.through && mark.digest !== null;
  const lower = verifiable
    ? sql`(select case when ${overlapDigest(timeParam(mark.lower!), timeParam(mark.through!))} = ${mark.digest} then ${afterTime(mark.through)} else ${afterTime(mark.lower)} end)`
    : afterTime(readFrom);
  const [row] = await withoutSorts(tx, () =>
    upsertBuckets<{ digest: string; reread: boolean; upper_ms: number | null; more: boolean }>(tx, "1m", {
      with: sql`
        bounds as (select ${lower} as lower),
        ${arrivalChunk(mark.through, options.now, options.chunkSamples, SAMPLE_COLUMNS)},
        -- The chunk's samples, aggregated as they are, in one pass: those taken above up to the
        -- cut, any received at or after the split (ties with the last one taken, or the
        -- millisecond the cut was rounded up to) and the overlap behind the watermark when it
        -- is re-read. The three are disjoint by arrival.
        part as (
          select endpoint_id, date_bin('1 minute', measured_at, ${BUCKET_ORIGIN}) as bucket, ${MINUTE_AGGREGATES}
          from (
            select ${SAMPLE_COLUMNS} from taken
            where received_at < (select split from cut) and received_at <= (select upper from cut)
            union all
            select ${SAMPLE_COLUMNS} from telemetry_samples
            where received_at >= (select split from cut) and received_at <= (select upper from cut)
            union all
            select ${SAMPLE_COLUMNS} from telemetry_samples
            where received_at > (select lower from bounds) and received_at <= ${afterTime(mark.through)}
          ) s
          group by 1, 2
        ),
        -- A bucket an earlier chunk rolled up holds samples from before this one: it is
        -- recomputed from all its samples. Every other bucket has all its samples in this chunk
        -- (anything received before it was read by an earlier chunk), so its part is the whole:
        -- in a backlog, nearly every bucket. One probe of the primary key per bucket and one
        -- range read per known bucket, whatever the planner's statistics say: a lateral join
        -- with a LIMIT or an aggregate is never turned into a scan of every minute row (an EXISTS
        -- was, as a hashed subplan: 19 s a round in steady state, bench/rollup.ts).
        flagged as (
          select p.*, r.known is not null as known
          from part p
          left join lateral (
            select true as known from telemetry_rollups r
            where r.endpoint_id = p.endpoint_id and r.resolution = '1m' and r.bucket_start = p.bucket limit 1
          ) r on true
        )`,
      aggregate: sql`
        select endpoint_id, bucket, ${sql.raw(ROLLUP_COLUMNS.join(", "))} from flagged where not known
        union all
        select k.endpoint_id, k.bucket, whole.*
        from flagged k
        cross join lateral (
          select ${MINUTE_AGGREGATES} from telemetry_samples s
          where s.endpoint_id = k.endpoint_id and s.measured_at >= k.bucket and s.measured_at < k.bucket + interval '1 minute'
        ) whole
        where k.known`,
      returning: sql`${overlapDigest(timeParam(nextOverlapFrom), sql`(select upper from cut)`)} as digest,
        (select lower from bounds) is distinct from ${afterTime(mark.through)} as reread,
        (select ${epochMs(sql`upper`)} from cut) as upper_ms, (select more from cut) as more`,
    }),
  );
  if (row?.upper_ms == null) throw new Error("the 1-minute roll-up's statement found no end for its chunk");
  const upper = new Date(row.upper_ms);
  const reread = verifiable ? row.reread : readFrom !== null && mark.through !== null && readFrom < mark.through;
  // Minutes a late sample changed may sit in hours the 1-hour roll-up has done: it goes back
  // to where this chunk started, and redoes every hour touched since (it has no overlap of its own).
  if (reread) {
    await tx.execute(sql`update telemetry_watermarks set received_through = ${timeParam(readFrom!)} where name = ${WATERMARK.hours} and received_through > ${timeParam(readFrom!)}`);
  }
  await saveWatermark(tx, WATERMARK.minutes, upper, options.now, row.digest);
  return { buckets: row.written, caughtUp: !row.more, through: upper, overlapReread: reread };
}

/**
 * What a chunk saw of the samples received in (from, through]: how many, and a sum of a hash of
 * each one's identity, so that a sample committed late changes it even if another endpoint's
 * samples were deleted meanwhile. Retention never deletes in this window (retention.ts).
 */
function overlapDigest(from: SQL, through: SQL): SQL {
  return sql`(select count(*) || ':' || coalesce(sum(hashtext(endpoint_id::text || '@' || extract(epoch from measured_at)::text)), 0)
              from telemetry_samples where received_at > ${from} and received_at <= ${through})`;
}

/** One chunk of the 1-hour roll-up. The caller owns the transaction. */
export async function rollUpHourChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  // No overlap: the hours to redo for a sample that committed late are the 1-minute roll-up's
  // to find, and it moves this watermark back when it does (rollUpMinuteChunk).
  const { through: watermark } = await lockWatermark(tx, WATERMARK.hours);
  const minutesThrough = await readWatermark(tx, WATERMARK.minutes);
  if (!minutesThrough) return { buckets: 0, caughtUp: true, through: watermark, overlapReread: false };
  const hourOf = sql`date_bin('1 hour', measured_at, ${BUCKET_ORIGIN})`;
  // Averages are weighted by how many samples carried the measurement, so an hour's average is
  // exactly the average of its raw samples, not an average of minute averages.
  const [row] = await withoutSorts(tx, () =>
    upsertBuckets<{ upper_ms: number | null; more: boolean }>(tx, "1h", {
      // The hours touched by the chunk's samples, found in the same walk of the arrival index
      // that finds where the chunk ends; an hour whose samples all lie past the cut is left to
      // the next chunk, and any received at or after the split (ties with the last one taken,
      // the millisecond the cut was rounded up to) are read by range.
      with: sql`
        seen as (
          select endpoint_id, ${hourOf} as bucket, count(*) as n, min(received_at) as first, max(received_at) as last
          from (
            select endpoint_id, measured_at, received_at from telemetry_samples
            where received_at > ${afterTime(watermark)} and received_at <= ${timeParam(minutesThrough)}
            order by received_at limit ${options.chunkSamples}
          ) taken
          group by 1, 2
        ),
        ${chunkCut(sql`select coalesce(sum(n), 0) as taken, min(first) as first, max(last) as last from seen`, watermark, minutesThrough, options.chunkSamples)},
        touched as (
          select endpoint_id, bucket from seen where first <= (select upper from cut)
          union
          select endpoint_id, ${hourOf} from telemetry_samples
          where received_at >= (select split from cut) and received_at <= (select upper from cut)
        )`,
      // One range read of the primary key per hour, whatever the planner's statistics say (an
      // aggregate in a lateral join cannot become a scan of every minute row, which is what an
      // unanalysed table got: a hash join over all of them).
      aggregate: sql`
        select t.endpoint_id, t.bucket, h.*
        from touched t
        cross join lateral (
          select
            sum(m.samples)::int as samples,
            sum(m.rtt_avg_ms * m.rtt_samples) / nullif(sum(m.rtt_samples), 0) as rtt_avg_ms,
            min(m.rtt_min_ms) as rtt_min_ms, max(m.rtt_max_ms) as rtt_max_ms, sum(m.rtt_samples)::int as rtt_samples,
            sum(m.jitter_avg_ms * m.jitter_samples) / nullif(sum(m.jitter_samples), 0) as jitter_avg_ms, sum(m.jitter_samples)::int as jitter_samples,
            sum(m.loss_avg_pct * m.loss_samples) / nullif(sum(m.loss_samples), 0) as loss_avg_pct, sum(m.loss_samples)::int as loss_samples,
            sum(m.df_probe_failures)::int as df_probe_failures,
            max(m.bum_pps_max) as bum_pps_max, max(m.learned_macs_max) as learned_macs_max
          from telemetry_rollups m
          where m.endpoint_id = t.endpoint_id and m.resolution = '1m' and m.bucket_start >= t.bucket and m.bucket_start < t.bucket + interval '1 hour'
        ) h
        where h.samples is not null`,
      returning: sql`(select ${epochMs(sql`upper`)} from cut) as upper_ms, (select more from cut) as more`,
    }),
  );
  if (row?.upper_ms == null) throw new Error("the 1-hour roll-up's statement found no end for its chunk");
  const upper = new Date(row.upper_ms);
  await saveWatermark(tx, WATERMARK.hours, upper, options.now, null);
  return { buckets: row.written, caughtUp: !row.more, through: upper, overlapReread: false };
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

/** A 1-minute bucket's figures from its raw samples, in ROLLUP_COLUMNS order. */
const MINUTE_AGGREGATES = sql.raw(`
  count(*)::int as samples,
  avg(rtt_ms) as rtt_avg_ms, min(rtt_ms) as rtt_min_ms, max(rtt_ms) as rtt_max_ms, count(rtt_ms)::int as rtt_samples,
  avg(jitter_ms) as jitter_avg_ms, count(jitter_ms)::int as jitter_samples,
  avg(loss_pct) as loss_avg_pct, count(loss_pct)::int as loss_samples,
  (count(*) filter (where df_probe_ok = false))::int as df_probe_failures,
  max(bum_pps) as bum_pps_max, max(learned_macs) as learned_macs_max`);

/**
 * Writes freshly aggregated buckets over whatever is stored. A bucket whose figures did not
 * change is left alone (no dead row for every overlap re-read). Returns how many were written,
 * with whatever else `returning` asks of the same statement (`with` names CTEs it may use).
 */
async function upsertBuckets<Extra extends object = object>(
  tx: Database,
  resolution: "1m" | "1h",
  statement: { with?: SQL; aggregate: SQL; returning?: SQL },
): Promise<(Extra & { written: number })[]> {
  const columns = sql.raw(ROLLUP_COLUMNS.join(", "));
  const assignments = sql.raw(ROLLUP_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", "));
  const stored = sql.raw(ROLLUP_COLUMNS.map((c) => `telemetry_rollups.${c}`).join(", "));
  const incoming = sql.raw(ROLLUP_COLUMNS.map((c) => `excluded.${c}`).join(", "));
  return queryRows<Extra & { written: number }>(
    tx,
    sql`
      with ${statement.with ? sql`${statement.with},` : sql``}
      fresh as (${statement.aggregate}),
      written as (
        insert into telemetry_rollups (endpoint_id, resolution, bucket_start, ${columns})
        select endpoint_id, ${resolution}::rollup_resolution, bucket, ${columns} from fresh
        on conflict (endpoint_id, resolution, bucket_start) do update set ${assignments}
        where (${stored}) is distinct from (${incoming})
        returning 1
      )
      select (select count(*)::int from written) as written${statement.returning ? sql`, ${statement.returning}` : sql``}`,
  );
}

/**
 * Reads a watermark and locks its row for this transaction (made at -infinity on first use),
 * with where the chunk must start reading: the watermark, less the overlap if the watermark was
 * saved less than the overlap ago. A sample stamped received_at ≤ watermark that the last chunk
 * did not see committed after that chunk read, so it was stamped at most the overlap before
 * the chunk ran (commit delay and clock skew); a watermark saved long after it passed (a
 * backlog being worked through) needs no re-reading at all.
 */
async function lockWatermark(tx: Database, name: string): Promise<{ through: Date | null; lower: Date | null; digest: string | null }> {
  await tx.execute(sql`insert into telemetry_watermarks (name, received_through) values (${name}, '-infinity') on conflict (name) do nothing`);
  const [row] = await queryRows<{ ms: number | null; saved_ms: number; digest: string | null }>(
    tx,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms, ${epochMs(sql`updated_at`)} as saved_ms,
          overlap_digest as digest
        from telemetry_watermarks where name = ${name} for update`,
  );
  if (row?.ms == null) return { through: null, lower: null, digest: null };
  const through = new Date(row.ms);
  return { through, lower: new Date(Math.min(row.ms, row.saved_ms - ROLLUP_LIMITS.overlapMs)), digest: row.digest };
}

export async function readWatermark(db: Database, name: string): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(
    db,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms
        from telemetry_watermarks where name = ${name}`,
  );
  return row?.ms == null ? null : new Date(row.ms);
}

/**
 * `savedAt` is the caller's clock, the one ingest stamps received_at with, not the database's.
 * `digest` is what the chunk saw of (savedAt − overlap, through] (null: the next one re-reads it).
 */
async function saveWatermark(tx: Database, name: string, through: Date, savedAt: Date, digest: string | null) {
  await tx.execute(
    sql`update telemetry_watermarks set received_through = ${timeParam(through)}, updated_at = ${timeParam(savedAt)}, overlap_digest = ${digest} where name = ${name}`,
  );
}
