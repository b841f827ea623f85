/**
 * The roll-ups as they were at the start of the second fleet-scale round (lib/telemetry/rollup.ts,
 * the maintenance round of lib/telemetry/maintenance.ts and the ANALYZE of
 * lib/telemetry/table-statistics.ts at commit 93b129d, comments left out), kept here only so that
 * bench/rollup.ts can time old and new on the same data in the same run. Not used by the app.
 * (The first round compared against 7d6a607; its figures stay in docs/benchmarks.md.)
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { applyRetention } from "@/lib/telemetry/retention";
import type { StepRunner } from "@/lib/telemetry/rollup";
import { BUCKET_ORIGIN, epochMs, floorToMinute, queryRows, timeParam } from "@/lib/telemetry/sql";

const ROLLUP_LIMITS = {
    chunkSamples: 20_000,
    hourChunkSamples: 500_000,
    maxChunks: 10,
    overlapMs: 2 * 60_000,
};

const WATERMARK = { minutes: "rollup-1m", hours: "rollup-1h" } as const;


type RollupOptions = { now: Date; chunkSamples?: number; maxChunks?: number; step?: StepRunner };
type ChunkResult = { buckets: number; caughtUp: boolean; through: Date | null; overlapReread: boolean };
type RollupResult = { buckets: number; chunks: number; caughtUp: boolean; skipped: boolean; through: Date | null; overlapRereads: number };

function rollUpMinutes(db: Database, options: RollupOptions): Promise<RollupResult> {
  return repeatChunks(db, options, ROLLUP_LIMITS.chunkSamples, (tx, chunkSamples) => rollUpMinuteChunk(tx, { now: options.now, chunkSamples }));
}

function rollUpHours(db: Database, options: RollupOptions): Promise<RollupResult> {
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
    if (total.chunks === 1 && (await step((tx) => analyzeStaleTables(tx, ["telemetry_rollups"]))) === null) return { ...total, skipped: true };
  }
  return total;
}

async function rollUpMinuteChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const mark = await lockWatermark(tx, WATERMARK.minutes);
  const { upper, caughtUp } = await chunkEnd(tx, mark.through, options.now, options.chunkSamples);
  const after = (time: Date | null) => (time ? timeParam(time) : sql`'-infinity'::timestamptz`);
  const nextOverlapFrom = new Date(options.now.getTime() - ROLLUP_LIMITS.overlapMs);
  const clockBehind = mark.lower !== null && nextOverlapFrom < mark.lower;
  const readFrom = clockBehind ? nextOverlapFrom : mark.lower;
  const verifiable = !clockBehind && mark.through !== null && mark.lower !== null && mark.lower < mark.through && mark.digest !== null;
  const lower = verifiable
    ? sql`(select case when ${overlapDigest(mark.lower!, mark.through!)} = ${mark.digest} then ${after(mark.through)} else ${after(mark.lower)} end)`
    : after(readFrom);
  const [row] = await upsertBuckets<{ digest: string; reread: boolean }>(tx, "1m", {
    with: sql`
      bounds as (select ${lower} as lower),
      part as (
        select endpoint_id, date_bin('1 minute', measured_at, ${BUCKET_ORIGIN}) as bucket, ${MINUTE_AGGREGATES}
        from telemetry_samples
        where received_at > (select lower from bounds) and received_at <= ${timeParam(upper)}
        group by 1, 2
      ),
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
    returning: sql`${overlapDigest(nextOverlapFrom, upper)} as digest, (select lower from bounds) is distinct from ${after(mark.through)} as reread`,
  });
  const reread = verifiable ? row?.reread === true : readFrom !== null && mark.through !== null && readFrom < mark.through;
  if (reread) {
    await tx.execute(sql`update telemetry_watermarks set received_through = ${timeParam(readFrom!)} where name = ${WATERMARK.hours} and received_through > ${timeParam(readFrom!)}`);
  }
  await saveWatermark(tx, WATERMARK.minutes, upper, options.now, row?.digest ?? null);
  return { buckets: row?.written ?? 0, caughtUp, through: upper, overlapReread: reread };
}

function overlapDigest(from: Date, through: Date): SQL {
  return sql`(select count(*) || ':' || coalesce(sum(hashtext(endpoint_id::text || '@' || extract(epoch from measured_at)::text)), 0)
              from telemetry_samples where received_at > ${timeParam(from)} and received_at <= ${timeParam(through)})`;
}

async function rollUpHourChunk(tx: Database, options: { now: Date; chunkSamples: number }): Promise<ChunkResult> {
  const { through: watermark } = await lockWatermark(tx, WATERMARK.hours);
  const lower = watermark;
  const minutesThrough = await readWatermark(tx, WATERMARK.minutes);
  if (!minutesThrough) return { buckets: 0, caughtUp: true, through: watermark, overlapReread: false };
  const { upper, caughtUp } = await chunkEnd(tx, watermark, minutesThrough, options.chunkSamples);
  const [row] = await upsertBuckets(tx, "1h", {
    aggregate: sql`
      select t.endpoint_id, t.bucket, h.*
      from (${touchedBuckets("1 hour", lower, upper)}) t
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
  });
  await saveWatermark(tx, WATERMARK.hours, upper, options.now, null);
  return { buckets: row?.written ?? 0, caughtUp, through: upper, overlapReread: false };
}

function touchedBuckets(width: "1 minute" | "1 hour", lower: Date | null, upper: Date): SQL {
  return sql`
    select distinct endpoint_id, date_bin(${sql.raw(`'${width}'`)}, measured_at, ${BUCKET_ORIGIN}) as bucket
    from telemetry_samples
    where received_at > ${lower ? timeParam(lower) : sql`'-infinity'::timestamptz`} and received_at <= ${timeParam(upper)}`;
}

async function chunkEnd(tx: Database, watermark: Date | null, limit: Date, chunkSamples: number): Promise<{ upper: Date; caughtUp: boolean }> {
  const after = watermark ? timeParam(watermark) : sql`'-infinity'::timestamptz`;
  await tx.execute(sql`set local enable_sort = off`);
  const [nth] = await queryRows<{ ms: number }>(
    tx,
    sql`select ${epochMs(sql`received_at`)} as ms from telemetry_samples
        where received_at > ${after} and received_at <= ${timeParam(limit)}
        order by received_at offset ${chunkSamples - 1} limit 1`,
  );
  await tx.execute(sql`set local enable_sort = on`);
  if (nth) {
    const minute = floorToMinute(new Date(nth.ms));
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

const MINUTE_AGGREGATES = sql.raw(`
  count(*)::int as samples,
  avg(rtt_ms) as rtt_avg_ms, min(rtt_ms) as rtt_min_ms, max(rtt_ms) as rtt_max_ms, count(rtt_ms)::int as rtt_samples,
  avg(jitter_ms) as jitter_avg_ms, count(jitter_ms)::int as jitter_samples,
  avg(loss_pct) as loss_avg_pct, count(loss_pct)::int as loss_samples,
  (count(*) filter (where df_probe_ok = false))::int as df_probe_failures,
  max(bum_pps) as bum_pps_max, max(learned_macs) as learned_macs_max`);

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

async function readWatermark(db: Database, name: string): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(
    db,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms
        from telemetry_watermarks where name = ${name}`,
  );
  return row?.ms == null ? null : new Date(row.ms);
}

async function saveWatermark(tx: Database, name: string, through: Date, savedAt: Date, digest: string | null) {
  await tx.execute(
    sql`update telemetry_watermarks set received_through = ${timeParam(through)}, updated_at = ${timeParam(savedAt)}, overlap_digest = ${digest} where name = ${name}`,
  );
}

type TelemetryTable = "telemetry_samples" | "telemetry_rollups";

async function analyzeStaleTables(db: Database, among: readonly TelemetryTable[] = ["telemetry_samples", "telemetry_rollups"]): Promise<TelemetryTable[]> {
  const rows = await queryRows<{ name: TelemetryTable }>(
    db,
    sql`select c.relname as name from pg_class c
        where c.oid in (to_regclass('telemetry_samples'), to_regclass('telemetry_rollups'))
          and (c.reltuples < 0
               or pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * ${1.1}::float8 + ${64}::int)
        order by c.relname desc`,
  );
  const stale = rows.map((r) => r.name).filter((name) => among.includes(name));
  for (const table of stale) await db.execute(sql`analyze ${sql.identifier(table)}`);
  return stale;
}

const HOURS_MAY_LAG_MS = 60 * 60_000;

/** The maintenance round as it was: both roll-ups (the hours held back during a backlog), retention, ANALYZE by growth. */
export async function runMaintenanceRoundBefore(db: Database, options: { now: Date; step: StepRunner }): Promise<{ caughtUp: boolean }> {
  const step = options.step;
  const minutes = await rollUpMinutes(db, { now: options.now, step });
  if (minutes.skipped) throw new Error("the round was skipped");
  const hours = (await hoursDue(db, minutes)) ? await rollUpHours(db, { now: options.now, step }) : null;
  if (hours?.skipped) throw new Error("the round was skipped");
  const retention = await applyRetention(db, { now: options.now, step });
  if (retention.skipped) throw new Error("the round was skipped");
  if ((await step((tx) => analyzeStaleTables(tx))) === null) throw new Error("the round was skipped");
  return { caughtUp: minutes.caughtUp && hours !== null && hours.caughtUp && retention.done };
}

async function hoursDue(db: Database, minutes: RollupResult): Promise<boolean> {
  if (minutes.caughtUp || !minutes.through) return true;
  const hoursFrom = (await readWatermark(db, WATERMARK.hours)) ?? (await oldestArrival(db));
  return hoursFrom !== null && minutes.through.getTime() - hoursFrom.getTime() > HOURS_MAY_LAG_MS;
}

async function oldestArrival(db: Database): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(db, sql`select ${epochMs(sql`min(received_at)`)} as ms from telemetry_samples`);
  return row?.ms == null ? null : new Date(row.ms);
}
