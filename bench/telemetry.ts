/**
 * Telemetry reads and roll-ups at NOC-wall scale: 1000 tunnels (2000 endpoints), an hour of
 * samples every 10 s from each (720,000 rows). Run alone with `npx tsx bench/telemetry.ts`
 * (PGlite in a data folder; add `--postgres` for the test PostgreSQL too), or through
 * `benchTelemetry` from bench/run.ts.
 */
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { runMaintenanceRound } from "@/lib/telemetry/maintenance";
import { rollUpHours, rollUpMinutes } from "@/lib/telemetry/rollup";
import { chartSeries, latestByEndpoint, sparklines } from "@/lib/telemetry/series";
import { queryRows } from "@/lib/telemetry/sql";
import { startTestPostgres } from "@/tests/support/postgres-server";
import { createTunnels } from "@/tests/support/telemetry-fixtures";
import { tempPgliteTarget } from "./allocation";

export type TelemetryFigures = {
  rawRows: number;
  backlogRollupMs: number;
  steadyRoundMs: number;
  sparklinesMs: number;
  latestMs: number;
  chart24hMs: number;
};

const TUNNELS = 1000;
const MINUTE = 60_000;

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function benchTelemetry(target: DatabaseTarget): Promise<TelemetryFigures> {
  const handle = await openDatabase(target);
  try {
    const { db } = handle;
    const tunnels = await createTunnels(db, TUNNELS);
    const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
    const hourAgo = new Date(now.getTime() - 60 * MINUTE);
    // One sample every 10 s from every endpoint for the last hour, received a second later.
    await db.execute(sql`
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_ok)
      select e.id, t, t + interval '1 second', 10 + random() * 5, random(), 0, true
      from tunnel_endpoints e, generate_series(${hourAgo.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz - interval '10 seconds', interval '10 seconds') t`);
    const [{ n: rawRows }] = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from telemetry_samples`)) as [{ n: number }];

    // The first run after a backlog: an hour of everything, chunk after chunk until caught up.
    let start = performance.now();
    for (;;) {
      const minutes = await rollUpMinutes(db, { now });
      const hours = await rollUpHours(db, { now });
      if (minutes.caughtUp && hours.caughtUp) break;
    }
    const backlogRollupMs = performance.now() - start;

    // Steady state: one more minute of samples, then one maintenance round.
    const next = new Date(now.getTime() + MINUTE);
    await db.execute(sql`
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_ok)
      select e.id, t, t + interval '1 second', 10 + random() * 5, random(), 0, true
      from tunnel_endpoints e, generate_series(${now.toISOString()}::timestamptz, ${next.toISOString()}::timestamptz - interval '10 seconds', interval '10 seconds') t`);
    start = performance.now();
    await runMaintenanceRound(db, { now: new Date(next.getTime() + 5_000) });
    const steadyRoundMs = performance.now() - start;

    const at = new Date(next.getTime() + 20_000);
    const sparklinesMs = await median(5, async () => {
      const wall = await sparklines(db, { since: new Date(at.getTime() - 60 * MINUTE), now: at, points: 60 });
      if (wall.tunnels.length !== TUNNELS) throw new Error(`expected ${TUNNELS} tunnels, got ${wall.tunnels.length}`);
    });
    const latestMs = await median(5, async () => {
      const latest = await latestByEndpoint(db);
      if (latest.size !== 2 * TUNNELS) throw new Error(`expected ${2 * TUNNELS} endpoints, got ${latest.size}`);
    });
    const chart24hMs = await median(5, () => chartSeries(db, { tunnelId: tunnels[0]!.tunnelId, from: new Date(at.getTime() - 24 * 60 * MINUTE), to: at, now: at }));
    return { rawRows, backlogRollupMs, steadyRoundMs, sparklinesMs, latestMs, chart24hMs };
  } finally {
    await handle.close();
  }
}

export function renderTelemetry(results: [string, TelemetryFigures][]): string {
  const rows: [string, keyof TelemetryFigures][] = [
    ["roll up an hour's backlog (minutes + hours)", "backlogRollupMs"],
    ["one maintenance round, steady state (1 minute of samples)", "steadyRoundMs"],
    [`sparklines for ${TUNNELS} tunnels × 60 minutes (one query)`, "sparklinesMs"],
    [`newest sample of ${2 * TUNNELS} endpoints (one query)`, "latestMs"],
    ["one tunnel's 24 h chart (1-minute roll-ups)", "chart24hMs"],
  ];
  return [
    `| ms (${results[0]?.[1].rawRows ?? 0} raw samples) | ${results.map(([name]) => name).join(" | ")} |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
    ...rows.map(([label, key]) => `| ${label} | ${results.map(([, f]) => f[key].toFixed(0)).join(" | ")} |`),
  ].join("\n");
}

async function main() {
  const results: [string, TelemetryFigures][] = [["PGlite", await benchTelemetry(tempPgliteTarget())]];
  if (process.argv.includes("--postgres")) {
    const server = await startTestPostgres();
    if ("unavailable" in server) throw new Error(`No PostgreSQL: ${server.unavailable}`);
    try {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query("create database bench_telemetry");
      await admin.end();
      results.push(["PostgreSQL", await benchTelemetry({ kind: "postgres", url: server.url.replace(/\/postgres$/, "/bench_telemetry") })]);
    } finally {
      server.stop();
    }
  }
  console.log(renderTelemetry(results));
}

if (process.argv[1]?.endsWith("telemetry.ts")) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
