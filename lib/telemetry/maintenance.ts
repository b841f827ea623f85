/**
 * The telemetry maintenance job: roll-ups, then retention, every minute, done once across all
 * app instances sharing a database.
 *
 * Every bounded step (a roll-up chunk, a retention batch) runs in a transaction of its own that
 * first takes a transaction-level advisory lock with pg_try_advisory_xact_lock. An instance that
 * finds it held skips the rest of its round: another instance is doing the work. The lock goes
 * with the step's commit or rollback, so a crashed instance never leaves it held, and short
 * steps keep row locks and the oldest open transaction young on a busy PostgreSQL. (PGlite has
 * one connection and one process, so the lock is always free there; the function exists and
 * behaves the same.) A round that leaves a backlog schedules the next one at once.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { performance } from "node:perf_hooks";
import { processMetrics } from "@/lib/metrics/registry";
import { startBackgroundLoop, type BackgroundLoop } from "@/lib/server/background-loop";
import { applyRetention, type RetentionResult } from "./retention";
import { readWatermark, rollUpHours, rollUpMinutes, WATERMARK, type RollupResult, type StepRunner } from "./rollup";
import { epochMs, queryRows } from "./sql";
import { analyzeStaleTables } from "./table-statistics";

/** Ours alone among the app's advisory locks ("brid" + "tm"; migrations use "brid"). */
export const TELEMETRY_MAINTENANCE_LOCK_KEY = 0x6272_6964_746d;

/** Between rounds with a backlog left: soon, but yielding to requests in between. */
const CATCH_UP_DELAY_MS = 1_000;

export type MaintenanceRound =
  | { skipped: true }
  | { skipped: false; minutes: RollupResult; hours: RollupResult; retention: RetentionResult; caughtUp: boolean };

/** Runs each step only while holding the job's advisory lock; null when another instance holds it. */
export function lockedSteps(db: Database): StepRunner {
  return (work) =>
    db.transaction(async (tx) => {
      const [row] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${TELEMETRY_MAINTENANCE_LOCK_KEY}::bigint) as locked`);
      return row?.locked ? work(tx) : null;
    });
}

/**
 * One round: the 1-minute roll-up, the 1-hour roll-up, then retention, each bounded. `step`
 * replaces the locked steps (a benchmark timing each statement; it must take the same lock),
 * `minuteChunks` the 1-minute roll-up's chunk limits (tests of a backlog without 200,000 samples).
 */
export async function runMaintenanceRound(
  db: Database,
  options: { now: Date; step?: StepRunner; minuteChunks?: { chunkSamples: number; maxChunks: number } },
): Promise<MaintenanceRound> {
  const step = options.step ?? lockedSteps(db);
  const minutes = await timedRollup("1m", () => rollUpMinutes(db, { now: options.now, step, ...options.minuteChunks }));
  if (minutes.skipped) return { skipped: true };
  // While the 1-minute roll-up has a backlog left, the 1-hour one waits for it: each of its
  // passes re-aggregates the current hour of every endpoint from up to 60 minute rows, so a
  // pass after every round of a backlog redid the same hours over and over. It still runs when
  // it is more than HOURS_MAY_LAG_MS behind by arrival (a backlog that never ends must not hold
  // the hours, or retention, which waits for them, back for good); before its first pass it
  // counts from the oldest sample's arrival (waiting for the minutes to catch up once held a
  // fresh database's hours back for good under a backlog that never ends).
  const hours = (await hoursDue(db, minutes)) ? await timedRollup("1h", () => rollUpHours(db, { now: options.now, step })) : deferredHours();
  if (hours.skipped) return { skipped: true };
  const retention = await applyRetention(db, { now: options.now, step });
  if (retention.skipped) return { skipped: true };
  // PGlite runs no autovacuum, so nothing else keeps the planner's statistics current; stale
  // ones made the NOC's sparkline query twice as slow (bench/views.ts). Only a table that grew
  // by a tenth since its last ANALYZE is sampled again: at 1,000 tunnels an ANALYZE of both
  // tables every tenth minute took 2–6 s of the one connection (lib/telemetry/table-statistics.ts).
  if ((await step((tx) => analyzeStaleTables(tx))) === null) return { skipped: true };
  return { skipped: false, minutes, hours, retention, caughtUp: minutes.caughtUp && hours.caughtUp && retention.done };
}

/** How far (in arrival time) the 1-hour roll-up may fall behind the 1-minute one while it has a backlog. */
export const HOURS_MAY_LAG_MS = 60 * 60_000;

async function hoursDue(db: Database, minutes: RollupResult): Promise<boolean> {
  if (minutes.caughtUp || !minutes.through) return true;
  const hoursFrom = (await readWatermark(db, WATERMARK.hours)) ?? (await oldestArrival(db));
  return hoursFrom !== null && minutes.through.getTime() - hoursFrom.getTime() > HOURS_MAY_LAG_MS;
}

/** When the oldest stored sample arrived (one step down the arrival index); null when there is none. */
async function oldestArrival(db: Database): Promise<Date | null> {
  const [row] = await queryRows<{ ms: number | null }>(db, sql`select ${epochMs(sql`min(received_at)`)} as ms from telemetry_samples`);
  return row?.ms == null ? null : new Date(row.ms);
}

/** A 1-hour pass not run this round: not caught up, so the round asks for the next one soon. */
const deferredHours = (): RollupResult => ({ buckets: 0, chunks: 0, caughtUp: false, skipped: false, through: null, overlapRereads: 0 });

/** bridgehead_rollup_duration_seconds{resolution}: only passes this instance ran, not ones another instance held. */
async function timedRollup(resolution: "1m" | "1h", pass: () => Promise<RollupResult>): Promise<RollupResult> {
  const started = performance.now();
  const result = await pass();
  if (!result.skipped) processMetrics().rollups.observe({ resolution }, (performance.now() - started) / 1000);
  return result;
}

export type MaintenanceOptions = {
  intervalMs?: number;
  now?: () => Date;
  logger?: Pick<Console, "log" | "error">;
};

/**
 * Starts the loop: a round now, then one a minute (soon again while a backlog is left), on the
 * console's one background-loop shape (lib/server/background-loop.ts).
 */
export function startTelemetryMaintenance(db: Database, options: MaintenanceOptions = {}): BackgroundLoop {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? console;
  return startBackgroundLoop({
    name: "telemetry",
    intervalMs: options.intervalMs ?? 60_000,
    logger,
    round: async () => {
      const result = await runMaintenanceRound(db, { now: now() });
      if (result.skipped) return;
      const deleted = result.retention.raw + result.retention.minutes + result.retention.hours;
      if (!result.caughtUp || deleted > 0) {
        logger.log(
          `[telemetry] rolled up ${result.minutes.buckets} minute and ${result.hours.buckets} hour bucket(s), ` +
            `deleted ${result.retention.raw} sample(s), ${result.retention.minutes} minute and ${result.retention.hours} hour bucket(s)` +
            (result.caughtUp ? "" : "; more to do"),
        );
      }
      return result.caughtUp ? undefined : { nextInMs: CATCH_UP_DELAY_MS };
    },
  });
}
