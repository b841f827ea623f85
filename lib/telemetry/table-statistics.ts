/**
 * The planner's statistics for the telemetry tables, refreshed when they have gone stale rather
 * than on a clock. PGlite runs no autovacuum, so nothing else refreshes them there. On
 * PostgreSQL autovacuum still analyzes the whole table on its own schedule (an ANALYZE of a column
 * list does not reset its modification counter); this one keeps the planned columns fresh in
 * between, at a third of the cost, on the jobs' pool rather than in an autovacuum worker.
 *
 * "Stale" is measured without the cumulative statistics system (whose counters PGlite flushes
 * only now and then): a table whose file grew by a tenth since its last ANALYZE (pg_class.relpages
 * is what ANALYZE saw) or that was never analysed. Sampling a table is not cheap at fleet scale
 * (an ANALYZE of the hour of samples of 1,000 tunnels took seconds on PGlite, docs/benchmarks.md),
 * and a table that grew by a few percent still has statistics the plans of the roll-ups and the
 * wall's reads do well on. Only the columns the plans use are sampled (PLANNED_COLUMNS).
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

/**
 * The columns whose statistics the plans use: every read of these tables finds its rows by
 * endpoint, time or arrival (and resolution). Sampling only these costs a third of a whole-table
 * ANALYZE of the hour of samples of 1,000 tunnels on PGlite (the hop path's jsonb and the
 * counters are the dear part, and nothing filters on them but inside an endpoint's own key
 * range); the table's size and row count (pg_class, which staleTables reads) are updated either way.
 */
export const PLANNED_COLUMNS: Record<TelemetryTable, readonly string[]> = {
  telemetry_samples: ["endpoint_id", "measured_at", "received_at"],
  telemetry_rollups: ["endpoint_id", "resolution", "bucket_start"],
};

/** ANALYZEs the telemetry tables whose statistics are stale (their planned columns); returns which it did. */
export async function analyzeStaleTables(db: Database, among: readonly TelemetryTable[] = TELEMETRY_TABLES): Promise<TelemetryTable[]> {
  const stale = await staleTables(db, among);
  for (const table of stale) await analyzeTable(db, table);
  return stale;
}

/** ANALYZEs one telemetry table's planned columns. */
export async function analyzeTable(db: Database, table: TelemetryTable): Promise<void> {
  const columns = sql.join(PLANNED_COLUMNS[table].map((column) => sql.identifier(column)), sql`, `);
  await db.execute(sql`analyze ${sql.identifier(table)} (${columns})`);
}
