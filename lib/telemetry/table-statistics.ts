/**
 * The planner's statistics for the telemetry tables, refreshed when they have gone stale rather
 * than on a clock. PGlite runs no autovacuum, so nothing else refreshes them there; on
 * PostgreSQL this does what autovacuum's analyze does, on the same rule of thumb.
 *
 * "Stale" is measured without the cumulative statistics system (whose counters PGlite flushes
 * only now and then): a table whose file grew by a tenth since its last ANALYZE (pg_class.relpages
 * is what ANALYZE saw) or that was never analysed. Sampling a table is not cheap at fleet scale
 * (an ANALYZE of the hour of samples of 1,000 tunnels took seconds on PGlite, docs/benchmarks.md),
 * and a table that grew by a few percent still has statistics the plans of the roll-ups and the
 * wall's reads do well on.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { queryRows } from "./sql";

const TELEMETRY_TABLES = ["telemetry_samples", "telemetry_rollups"] as const;
export type TelemetryTable = (typeof TELEMETRY_TABLES)[number];

/** How much a table may grow past what its last ANALYZE saw: autovacuum's default scale factor. */
export const STALE_GROWTH = 0.1;
/** Below this many pages of growth nothing is stale: a small table's plans do not change. */
const MIN_GROWN_PAGES = 64;

/** The telemetry tables whose statistics are stale, by the rule above. */
export async function staleTables(db: Database, among: readonly TelemetryTable[] = TELEMETRY_TABLES): Promise<TelemetryTable[]> {
  const rows = await queryRows<{ name: TelemetryTable }>(
    db,
    sql`select c.relname as name from pg_class c
        where c.oid in (to_regclass('telemetry_samples'), to_regclass('telemetry_rollups'))
          and (c.reltuples < 0
               or pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * ${1 + STALE_GROWTH}::float8 + ${MIN_GROWN_PAGES}::int)
        order by c.relname desc`,
  );
  return rows.map((r) => r.name).filter((name) => among.includes(name));
}

/** ANALYZEs the telemetry tables whose statistics are stale; returns which it did. */
export async function analyzeStaleTables(db: Database, among: readonly TelemetryTable[] = TELEMETRY_TABLES): Promise<TelemetryTable[]> {
  const stale = await staleTables(db, among);
  for (const table of stale) await analyzeTable(db, table);
  return stale;
}

/**
 * The columns the roll-ups', the evaluation's and the wall's statements filter, join, group and
 * order by: the only ones whose statistics steer a plan. The others (the measurements, counters,
 * the path's JSON) are only read out; sampling them too made ANALYZE of the hour of samples of
 * 1,000 tunnels hold PGlite's one connection for seconds, every statement of the console waiting
 * behind it (docs/benchmarks.md, "Stalls at fleet scale").
 */
export const PLANNED_COLUMNS: Record<TelemetryTable, readonly string[]> = {
  telemetry_samples: ["endpoint_id", "measured_at", "received_at"],
  telemetry_rollups: ["endpoint_id", "resolution", "bucket_start"],
};

/** Samples one table's statistics again: its row count and pages, and its planned columns. */
export async function analyzeTable(db: Database, table: TelemetryTable): Promise<void> {
  const columns = sql.join(PLANNED_COLUMNS[table].map((column) => sql.identifier(column)), sql`, `);
  await db.execute(sql`analyze ${sql.identifier(table)} (${columns})`);
}
