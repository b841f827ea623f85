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
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { applyRetention, type RetentionResult } from "./retention";
import { rollUpHours, rollUpMinutes, type RollupResult, type StepRunner } from "./rollup";
import { queryRows } from "./sql";

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

/** One round: the 1-minute roll-up, the 1-hour roll-up, then retention, each bounded. */
export async function runMaintenanceRound(db: Database, options: { now: Date }): Promise<MaintenanceRound> {
  const step = lockedSteps(db);
  const minutes = await rollUpMinutes(db, { now: options.now, step });
  if (minutes.skipped) return { skipped: true };
  const hours = await rollUpHours(db, { now: options.now, step });
  if (hours.skipped) return { skipped: true };
  const retention = await applyRetention(db, { now: options.now, step });
  if (retention.skipped) return { skipped: true };
  // PGlite runs no autovacuum, so nothing else keeps the planner's statistics current; stale
  // ones made the NOC's sparkline query twice as slow (bench/views.ts). On PostgreSQL this
  // repeats what autovacuum does, cheaply (ANALYZE samples a fixed number of rows).
  if (options.now.getUTCMinutes() % 10 === 0) await step((tx) => tx.execute(sql`analyze telemetry_samples, telemetry_rollups`));
  return { skipped: false, minutes, hours, retention, caughtUp: minutes.caughtUp && hours.caughtUp && retention.done };
}

export type MaintenanceOptions = {
  intervalMs?: number;
  now?: () => Date;
  logger?: Pick<Console, "log" | "error">;
};

/**
 * Starts the loop: a round now, then one every intervalMs (at once while a backlog is left).
 * A failed round is logged and the loop goes on. stop() ends the loop and resolves when the
 * round in flight, if any, has finished, so the database can then be closed under it.
 */
export function startTelemetryMaintenance(db: Database, options: MaintenanceOptions = {}): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? console;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new RangeError(`intervalMs must be a positive number of milliseconds, not ${intervalMs}.`);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    let delay = intervalMs;
    try {
      const result = await runMaintenanceRound(db, { now: now() });
      if (!result.skipped) {
        const deleted = result.retention.raw + result.retention.minutes + result.retention.hours;
        if (!result.caughtUp) delay = Math.min(intervalMs, CATCH_UP_DELAY_MS);
        if (!result.caughtUp || deleted > 0) {
          logger.log(
            `[telemetry] rolled up ${result.minutes.buckets} minute and ${result.hours.buckets} hour bucket(s), ` +
              `deleted ${result.retention.raw} sample(s), ${result.retention.minutes} minute and ${result.retention.hours} hour bucket(s)` +
              (result.caughtUp ? "" : "; more to do"),
          );
        }
      }
    } catch (error) {
      logger.error(`[telemetry] maintenance round failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopped) {
      timer = setTimeout(() => (running = round()), delay);
      // The server's sockets keep the process alive; this timer alone must not.
      timer.unref();
    }
  };
  running = round();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
