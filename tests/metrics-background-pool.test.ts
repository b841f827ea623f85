/**
 * /metrics reports the background jobs' own PostgreSQL pool beside the requests' pool: a job
 * holding its connections (a roll-up's long transaction, a backlog of them queued) shows there,
 * and not as the requests' pool, which is what an operator needs to tell "the jobs are stuck"
 * from "the requests are starved". On PGlite the jobs share the one connection: no such series.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, STATEMENT_TIMEOUTS, type DatabaseHandle } from "@/lib/db/client";
import { renderMetrics } from "@/lib/metrics/fleet-gauges";
import { createPostgresDatabase } from "./support/databases";

type Family = { name: string; metrics: { labels?: Record<string, string>; value?: string }[] };

async function poolGauges(handle: DatabaseHandle): Promise<Record<string, Record<string, number>>> {
  const families = parsePrometheusTextFormat((await renderMetrics(handle, new Date())).body) as Family[];
  const pools: Record<string, Record<string, number>> = {};
  for (const name of ["bridgehead_db_pool_clients", "bridgehead_db_background_pool_clients"]) {
    const family = families.find((f) => f.name === name);
    if (family && family.metrics.length > 0) pools[name] = Object.fromEntries(family.metrics.map((m) => [m.labels!.state!, Number(m.value)]));
  }
  return pools;
}

describe.skipIf(inject("postgresUnavailable") !== null)("the background pool's gauges [postgres]", () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    // As the console opens it (getDatabase): with limits, so the jobs get a pool of their own.
    handle = await openDatabase({ kind: "postgres", url: database.url }, { statementTimeouts: STATEMENT_TIMEOUTS });
  });

  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });

  it("counts a job's held connection and its queued statements in the background pool, not in the requests' pool", async () => {
    // Two job transactions hold two of the pool's connections until the test lets them go.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened = 0;
    let bothOpen!: () => void;
    const open = new Promise<void>((resolve) => (bothOpen = resolve));
    const jobs = [1, 2].map(() =>
      handle.background.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        if (++opened === 2) bothOpen();
        await held;
      }),
    );
    await open;
    try {
      const during = await poolGauges(handle);
      expect(during.bridgehead_db_background_pool_clients).toEqual({ in_use: 2, idle: 0, waiting: 0 });
      // The scrape's own statements ran on the requests' pool and gave their connection back.
      expect(during.bridgehead_db_pool_clients).toMatchObject({ in_use: 0, waiting: 0 });
    } finally {
      release();
      await Promise.all(jobs);
    }
    expect((await poolGauges(handle)).bridgehead_db_background_pool_clients).toEqual({ in_use: 0, idle: 2, waiting: 0 });
  });
});

// Not under the PostgreSQL guard: it needs none, and ran only where PostgreSQL did.
describe("the background pool's gauges on PGlite", () => {
  it("has no background series on PGlite, whose jobs share its one connection", async () => {
    const pglite = await openDatabase({ kind: "pglite", dataDir: null }, { statementTimeouts: STATEMENT_TIMEOUTS });
    try {
      expect(pglite.background).toBe(pglite.db);
      expect(Object.keys(await poolGauges(pglite))).toEqual(["bridgehead_db_pool_clients"]);
    } finally {
      await pglite.close();
    }
  });
});
