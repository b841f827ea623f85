/**
 * The tenant page's chart read (issue 21): what reading throughput from the counters adds to a
 * tunnel's series. One tunnel, a week of samples every 30 s from both ends with counters (what
 * the raw retention keeps), rolled up as the jobs would; 10 more tunnels with the same week so
 * the tables are not trivially small. Medians of 5, PGlite; the ratio is what to compare.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/db/client";
import { readRangeParams } from "@/lib/charts/time-range";
import { getTunnelSeries } from "@/lib/queries/tunnel-telemetry";
import { readTunnelThroughput } from "@/lib/queries/tunnel-throughput";
import { rollUpHours, rollUpMinutes } from "@/lib/telemetry/rollup";
import { chartSeries } from "@/lib/telemetry/series";
import { createTunnels } from "@/tests/support/telemetry-fixtures";
import { tempPgliteTarget } from "./allocation";

const TUNNELS = 11;
const MINUTE = 60_000;
const WINDOWS = [
  ["1 h", 60 * MINUTE],
  ["24 h", 24 * 60 * MINUTE],
  ["7 d", 7 * 24 * 60 * MINUTE],
] as const;

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function benchTenantCharts(): Promise<string> {
  const target = tempPgliteTarget();
  const handle = await openDatabase(target);
  try {
    const { db } = handle;
    const tunnels = await createTunnels(db, TUNNELS);
    const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
    const weekAgo = new Date(now.getTime() - 7 * 24 * 60 * MINUTE);
    await db.execute(sql`
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, tx_bytes, rx_bytes, tx_packets, rx_packets)
      select e.id, t, t + interval '1 second', 10 + random() * 5, random(), 0,
        (extract(epoch from t - ${weekAgo.toISOString()}::timestamptz) * 125000)::bigint, (extract(epoch from t - ${weekAgo.toISOString()}::timestamptz) * 62500)::bigint,
        (extract(epoch from t - ${weekAgo.toISOString()}::timestamptz) * 100)::bigint, (extract(epoch from t - ${weekAgo.toISOString()}::timestamptz) * 50)::bigint
      from tunnel_endpoints e, generate_series(${weekAgo.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, interval '30 seconds') t`);
    for (;;) {
      const minutes = await rollUpMinutes(db, { now });
      const hours = await rollUpHours(db, { now });
      if (minutes.caughtUp && hours.caughtUp) break;
    }
    const tunnel = tunnels[0]!;
    const endpoints = [
      { id: tunnel.source, side: "source" as const },
      { id: tunnel.avs, side: "avs" as const },
    ];
    const rows: string[] = [];
    for (const [label, span] of WINDOWS) {
      const from = new Date(now.getTime() - span);
      const latency = await median(5, () => chartSeries(db, { tunnelId: tunnel.tunnelId, from, to: now, now }));
      const throughput = await median(5, () => readTunnelThroughput(db, endpoints, { from: from.getTime(), to: now.getTime() }, { now, sampleIntervalMs: 30_000, maxGapMs: 90_000 }));
      const range = readRangeParams({ from: from.toISOString(), to: now.toISOString() });
      const whole = await median(5, () => getTunnelSeries(db, tunnel.tunnelId, range, now));
      rows.push(`| ${label} | ${latency.toFixed(0)} | ${throughput.toFixed(0)} | ${(throughput / latency).toFixed(1)} × | ${whole.toFixed(0)} |`);
    }
    return [
      `PGlite, ${TUNNELS} tunnels with a week of samples every 30 s from both ends (counters included), rolled up; one tunnel's reads, median of 5 (ms).`,
      "",
      "| window | latency series (chartSeries) | throughput (counters) | throughput ÷ latency | whole tenant-page read (getTunnelSeries) |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
    ].join("\n");
  } finally {
    await handle.close();
    if (target.kind === "pglite" && target.dataDir) fs.rmSync(path.dirname(target.dataDir), { recursive: true, force: true });
  }
}
