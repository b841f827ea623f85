import { openDatabase } from "@/lib/db/client";
import { sql } from "drizzle-orm";
import { createTunnels } from "@/tests/support/telemetry-fixtures";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { queryRows } from "@/lib/telemetry/sql";
import { monitorEventLoopDelay } from "node:perf_hooks";
const h = await openDatabase({ kind: "pglite", dataDir: null });
const db = h.db;
let t = performance.now();
await createTunnels(db, 1000);
const now = new Date(Math.floor(Date.now() / 60000) * 60000);
const from = new Date(now.getTime() - 15 * 60000);
await db.execute(sql`insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_ok, df_probe_bytes, bum_pps, learned_macs, path)
 select e.id, t, t + interval '1 second', 10 + random() * 5, random(), 0, true, 1428, 3, 10, '[{"ttl":1,"address":"192.0.2.1","rttMs":0.5},{"ttl":2,"address":"198.51.100.1","rttMs":4},{"ttl":3,"address":"10.1.1.1","rttMs":9}]'::jsonb
 from tunnel_endpoints e, generate_series(${from.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz - interval '10 seconds', interval '10 seconds') t`);
await db.execute(sql`update tunnel_endpoints set last_sample_at = ${new Date(now.getTime()-10000).toISOString()}::timestamptz`);
await db.execute(sql`analyze`);
console.log("seeded", (performance.now()-t).toFixed(0));
const hist = monitorEventLoopDelay({ resolution: 5 }); hist.enable();
async function time(label: string, f: () => Promise<unknown>) { hist.reset(); const t = performance.now(); const cpu = process.cpuUsage(); await f(); const c = process.cpuUsage(cpu); console.log(label, (performance.now()-t).toFixed(0), "ms; main cpu", ((c.user+c.system)/1000).toFixed(0), "ms; loop max", (hist.max/1e6).toFixed(0)); }
await time("rows w/o path", () => queryRows(db, sql`select endpoint_id, (extract(epoch from measured_at)*1000)::float8 as at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, bum_pps, learned_macs from telemetry_samples where measured_at >= ${from.toISOString()}::timestamptz`));
await time("rows w/o path (drizzle Date)", () => queryRows(db, sql`select endpoint_id, measured_at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, bum_pps, learned_macs from telemetry_samples where measured_at >= ${from.toISOString()}::timestamptz`));
await time("json per endpoint", async () => { const rows = await queryRows<{s: string}>(db, sql`select endpoint_id, json_agg(json_build_array((extract(epoch from measured_at)*1000)::float8, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, bum_pps, learned_macs) order by measured_at)::text as s from telemetry_samples where measured_at >= ${from.toISOString()}::timestamptz group by endpoint_id`); for (const r of rows) JSON.parse(r.s); });
await time("newest 3 paths per endpoint", () => queryRows(db, sql`select e.id, p.at, p.path from tunnel_endpoints e cross join lateral (select measured_at as at, path from telemetry_samples s where s.endpoint_id = e.id and s.measured_at >= ${from.toISOString()}::timestamptz and s.path is not null order by measured_at desc limit 3) p`));
await time("baseline medians", () => queryRows(db, sql`select endpoint_id, percentile_cont(0.5) within group (order by rtt_avg_ms) from telemetry_rollups where resolution='1h' group by endpoint_id`));
await time("runWarningEvaluation (today)", () => runWarningEvaluation(db, { now }));
await time("runWarningEvaluation (today, 2nd)", () => runWarningEvaluation(db, { now: new Date(now.getTime()+15000) }));
await h.close();
