import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { sql } from "drizzle-orm";
import { queryRows } from "./sql";
import { analyzeTable, analyzeStaleTables, staleTables } from "./table-statistics";

const BASE = Date.parse("2026-11-20T09:00:00.000Z");

describeEachDatabase("telemetry table statistics", ({ handle, kind }) => {
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

  it("samples a table again only after it grew by a tenth since its last ANALYZE", async () => {
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

  it("samples the columns the plans filter and join on, not the measurements (seconds of PGlite's one connection at 1,000 tunnels)", async () => {
    await insertSamples(db, samples(40_000, 2_000));
    await analyzeTable(db, "telemetry_samples");
    const columns = (
      await queryRows<{ attname: string }>(db, sql`select attname from pg_stats where schemaname = current_schema() and tablename = 'telemetry_samples' order by attname`)
    ).map((row) => row.attname);
    expect(columns).toEqual(expect.arrayContaining(["endpoint_id", "measured_at", "received_at"]));
    // PostgreSQL's autovacuum may sample every column meanwhile; PGlite has none, so there nothing else did.
    if (kind === "pglite") expect(columns).toEqual(["endpoint_id", "measured_at", "received_at"]);
    // The row count is sampled again too: the growth rule measures from it.
    expect(await staleTables(db, ["telemetry_samples"])).toEqual([]);
  });
});
