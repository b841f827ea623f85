import { beforeAll, expect, it, onTestFinished } from "vitest";
import type { Database } from "@/lib/db/client";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { sql } from "drizzle-orm";
import { queryRows } from "./sql";
import { analyzeStaleTables, analyzeTable, PLANNED_COLUMNS, staleTables } from "./table-statistics";

const BASE = Date.parse("2026-11-20T09:00:00.000Z");

describeEachDatabase("telemetry table statistics", ({ handle }) => {
  let db: Database;
  let tunnel: TestTunnel;

  beforeAll(async () => {
    db = handle().db;
    [tunnel] = (await createTunnels(db, 1)) as [TestTunnel];
    await resetTelemetry(db);
  });

  /** `count` samples a second apart from `offset` seconds on, with a path, as agents send them. */
  const samples = (offset: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      endpointId: tunnel.source,
      measuredAt: new Date(BASE + (offset + i) * 1_000),
      receivedAt: new Date(BASE + (offset + i) * 1_000 + 500),
      rttMs: i % 50,
      path: [{ ttl: 1, address: "10.0.0.1", rttMs: 1 }],
    }));

  /** Autovacuum (PostgreSQL) must not VACUUM or ANALYZE the table behind the test's back: either updates the size the check compares against. */
  const withoutAutovacuum = async () => {
    await db.execute(sql`alter table telemetry_samples set (autovacuum_enabled = false)`);
    onTestFinished(async () => {
      await db.execute(sql`alter table telemetry_samples reset (autovacuum_enabled)`);
    });
  };

  it("samples a table again only after it grew by a tenth since its last ANALYZE", async () => {
    // It did once in CI (2026-12-05): the 20,000 rows were analysed before the check saw them stale.
    await withoutAutovacuum();
    await analyzeStaleTables(db);
    expect(await staleTables(db)).toEqual([]);

    // Many times its size: stale, analysed, then current again.
    await insertSamples(db, samples(0, 20_000));
    expect(await staleTables(db)).toEqual(["telemetry_samples"]);
    expect(await analyzeStaleTables(db)).toEqual(["telemetry_samples"]);
    expect(await staleTables(db)).toEqual([]);

    // A few percent more: the statistics still describe it.
    await insertSamples(db, samples(20_000, 600));
    expect(await staleTables(db)).toEqual([]);
    // A quarter more: stale again.
    await insertSamples(db, samples(20_600, 5_000));
    expect(await staleTables(db)).toEqual(["telemetry_samples"]);
  });

  it("samples only the columns the plans use, and still records the table's size for the next check", async () => {
    await resetTelemetry(db);
    // Nor ANALYZE the whole table between the two reads of pg_stats.
    await withoutAutovacuum();
    // What autovacuum does on PostgreSQL whenever it visits (a column-list ANALYZE does not reset
    // its counter, so it will), and what every release before this one ran: statistics for every
    // column already exist. The column-list ANALYZE must refresh the planned ones and leave the
    // rest as they were, whatever ran before.
    await insertSamples(db, samples(0, 500));
    await db.execute(sql`analyze telemetry_samples`);
    const statistics = async () =>
      new Map(
        (
          await queryRows<{ column: string; shape: string }>(
            db,
            sql`select attname as column, null_frac::text || '|' || n_distinct::text || '|' || coalesce(histogram_bounds::text, '') || '|' || coalesce(most_common_vals::text, '') as shape
                from pg_stats where tablename = 'telemetry_samples'`,
          )
        ).map((r) => [r.column, r.shape]),
      );
    const before = await statistics();
    // Every column's distribution moves: two ends, new times, other RTTs, no path.
    await resetTelemetry(db);
    await insertSamples(
      db,
      samples(100_000, 700).map((s, i) => ({ ...s, endpointId: i % 2 ? tunnel.avs : tunnel.source, rttMs: 1_000 + i, path: null })),
    );
    await analyzeTable(db, "telemetry_samples");
    const after = await statistics();
    const changed = [...after.keys()].filter((column) => after.get(column) !== before.get(column)).sort();
    // Not the hop path (a jsonb, the dearest to sample) nor the RTTs: nothing is planned on them.
    expect(changed).toEqual([...PLANNED_COLUMNS.telemetry_samples].sort());
    const [size] = await queryRows<{ recorded: number; actual: number }>(
      db,
      sql`select relpages as recorded, (pg_relation_size(oid) / current_setting('block_size')::int)::int as actual from pg_class where oid = 'telemetry_samples'::regclass`,
    );
    expect(size!.recorded).toBe(size!.actual);
  });
});
