/**
 * Retention: raw samples for a week, 1-minute roll-ups for a month, 1-hour roll-ups for a year,
 * deleted in small batches so a large backlog (the first run after an upgrade, a job that was
 * down) never holds many row locks or one long statement.
 *
 * Nothing is deleted that a roll-up may still need. A sample not yet rolled up is one received
 * after the 1-hour roll-up's watermark (which never passes the 1-minute one); ingest refuses
 * samples measured more than MAX_SAMPLE_AGE_MS before they arrive, so every such sample, and
 * every bucket it can still change, lies after `watermark − overlap − MAX_SAMPLE_AGE_MS`.
 * Raw samples and 1-minute buckets are kept from there on, however old, until the roll-ups
 * have caught up. (A 1-minute bucket is recomputed from ALL its raw samples, so deleting some
 * of a bucket's samples before a late one arrives would corrupt it: the same bound prevents it.)
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { MAX_SAMPLE_AGE_MS } from "@/lib/validation/telemetry";
import { readWatermark, ROLLUP_LIMITS, WATERMARK, type StepRunner } from "./rollup";
import { floorToHour, floorToMinute, queryRows, timeParam } from "./sql";

const DAY_MS = 24 * 3_600_000;

export const RETENTION = {
  /** Raw samples: as long as ingest accepts late samples, so a late one never lands in deleted history. */
  rawMs: MAX_SAMPLE_AGE_MS,
  /** 1-minute buckets: a month of minute detail for any 48-hour chart, plus a few days' margin. */
  minuteMs: 35 * DAY_MS,
  /** 1-hour buckets: a year and a month, enough to compare with the same month last year. */
  hourMs: 400 * DAY_MS,
  /** Rows of each kind one batch deletes: short statements, few row locks at a time. */
  batchRows: 5_000,
  /** Batches per call; what is left is deleted by the next calls. */
  maxBatches: 20,
};

export type RetentionCutoffs = { raw: Date | null; rolledThrough: Date | null; minutes: Date | null; hours: Date };
export type RetentionResult = { raw: number; minutes: number; hours: number; batches: number; done: boolean; skipped: boolean };

/**
 * Before which time each kind may go. Raw and 1-minute cutoffs are null (delete nothing) until
 * the roll-ups have run once: without them the history exists only as raw samples.
 */
export function retentionCutoffs(now: Date, rolledThrough: Date | null): RetentionCutoffs {
  const hours = floorToHour(new Date(now.getTime() - RETENTION.hourMs));
  if (!rolledThrough) return { raw: null, rolledThrough: null, minutes: null, hours };
  const safeThrough = new Date(rolledThrough.getTime() - ROLLUP_LIMITS.overlapMs);
  const stillChanging = safeThrough.getTime() - MAX_SAMPLE_AGE_MS;
  return {
    raw: floorToMinute(new Date(Math.min(now.getTime() - RETENTION.rawMs, stillChanging))),
    rolledThrough: safeThrough,
    minutes: floorToHour(new Date(Math.min(now.getTime() - RETENTION.minuteMs, stillChanging))),
    hours,
  };
}

/** Deletes expired telemetry batch by batch, until nothing is left to delete or out of batches. */
export async function applyRetention(
  db: Database,
  options: { now: Date; batchRows?: number; maxBatches?: number; step?: StepRunner },
): Promise<RetentionResult> {
  const batchRows = options.batchRows ?? RETENTION.batchRows;
  const maxBatches = options.maxBatches ?? RETENTION.maxBatches;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new RangeError(`batchRows must be a whole number of at least 1, not ${batchRows}.`);
  if (!Number.isInteger(maxBatches) || maxBatches < 1) throw new RangeError(`maxBatches must be a whole number of at least 1, not ${maxBatches}.`);
  const step: StepRunner = options.step ?? ((work) => db.transaction(work));
  const total: RetentionResult = { raw: 0, minutes: 0, hours: 0, batches: 0, done: false, skipped: false };
  while (total.batches < maxBatches) {
    const batch = await step((tx) => deleteExpiredBatch(tx, { now: options.now, batchRows }));
    if (!batch) return { ...total, skipped: true };
    total.batches += 1;
    total.raw += batch.raw;
    total.minutes += batch.minutes;
    total.hours += batch.hours;
    if (batch.raw < batchRows && batch.minutes < batchRows && batch.hours < batchRows) return { ...total, done: true };
  }
  return total;
}

/** One batch: up to batchRows of each kind. The caller owns the transaction. */
export async function deleteExpiredBatch(tx: Database, options: { now: Date; batchRows: number }): Promise<{ raw: number; minutes: number; hours: number }> {
  const cutoffs = retentionCutoffs(options.now, await readWatermark(tx, WATERMARK.hours));
  const raw =
    cutoffs.raw && cutoffs.rolledThrough
      ? await deleteBatch(tx, "telemetry_samples", sql`measured_at < ${timeParam(cutoffs.raw)} and received_at <= ${timeParam(cutoffs.rolledThrough)}`, options.batchRows)
      : 0;
  const minutes = cutoffs.minutes
    ? await deleteBatch(tx, "telemetry_rollups", sql`resolution = '1m' and bucket_start < ${timeParam(cutoffs.minutes)}`, options.batchRows)
    : 0;
  const hours = await deleteBatch(tx, "telemetry_rollups", sql`resolution = '1h' and bucket_start < ${timeParam(cutoffs.hours)}`, options.batchRows);
  return { raw, minutes, hours };
}

/** Deletes at most `limit` rows matching `where`, found through an index and deleted by ctid. */
async function deleteBatch(tx: Database, table: "telemetry_samples" | "telemetry_rollups", where: SQL, limit: number): Promise<number> {
  const name = sql.raw(table);
  const [row] = await queryRows<{ deleted: number }>(
    tx,
    sql`with gone as (
          delete from ${name} where ctid = any(array(select ctid from ${name} where ${where} limit ${limit}))
          returning 1
        )
        select count(*)::int as deleted from gone`,
  );
  return row?.deleted ?? 0;
}
