/**
 * What raw-sample retention costs on PostgreSQL at fleet scale, against what dropping a day's
 * partition would (issue 16; the decision is in docs/decisions.md, "Raw samples by day").
 *
 * `npx tsx --require ./scripts/server-only.cjs bench/retention-cost.ts <postgres-url> [rows]`
 * makes a database of its own on that server, with the app's migrations and 20,000 endpoints
 * (10,000 tunnels), and measures, in one process so the figures compare as ratios:
 * - deleting `rows` expired samples (default 1,000,000: 50 ten-second samples from each end)
 *   as lib/telemetry/retention.ts does, 5,000 a transaction, and the vacuum that follows;
 * - ingest-shaped inserts (2,000 samples a statement: a second of the fleet's samples) alone
 *   and while that deletion runs;
 * - the same inserts into a copy of the table partitioned by day, and dropping the day holding
 *   the same rows (detached first, as a job would).
 */
import pg from "pg";
import { openDatabase } from "@/lib/db/client";

const ENDS = 20_000;
const BATCH = 5_000;
const INSERT_ROWS = 2_000;
const INSERTS = 60;
const OLD_DAY = "2026-11-20";
const NEW_DAY = "2026-11-28";

async function main() {
  const adminUrl = process.argv[2];
  if (!adminUrl) throw new Error("usage: retention-cost.ts <postgres-url> [rows]");
  const rows = Number(process.argv[3] ?? 1_000_000);
  const perEnd = Math.ceil(rows / ENDS);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query("drop database if exists bench_retention with (force)");
  await admin.query("create database bench_retention");
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, "/bench_retention");
  const handle = await openDatabase({ kind: "postgres", url });
  await handle.close();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const q = (text: string, values: unknown[] = []) => db.query(text, values);

  console.log(`[retention] ${ENDS} endpoints, ${perEnd * ENDS} expired samples…`);
  await q(`insert into private_clouds (azure_resource_id, subscription_id, resource_group, name, region, network_block) values ('/bench','s','rg','bench','westeurope','10.120.0.0/22')`);
  await q(`insert into tenants (slug, display_name, private_cloud_id, source_environment, transport, subnet, gateway_location, source_gateway_underlay_ip)
           select 't' || g, 'T', (select id from private_clouds), 'other', 'sd-wan', '10.1.0.0/24', 'source', '198.51.100.1' from generate_series(1, ${ENDS / 2}) g`);
  await q(`insert into tunnels (tenant_id, ordinal, name) select id, 1, 'primary' from tenants`);
  await q(`insert into tunnel_endpoints (tunnel_id, side, hostname, underlay_ip) select id, s::tunnel_endpoint_side, 'gw', '198.51.100.1' from tunnels, unnest(array['source', 'avs']) s`);
  const sampleColumns = `endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, path, tx_bytes, rx_bytes, tx_packets, rx_packets, bum_pps, learned_macs`;
  // A sample as agents send them: RTT figures, a three-hop path, counters.
  const sampleValues = (day: string, step: string) => `e.id, timestamptz '${day}' + (${step}) * interval '10 seconds', timestamptz '${day}' + (${step}) * interval '10 seconds' + interval '1 second',
      12.5, 0.4, 0, 1400, true, '[{"ttl":1,"address":"10.0.0.1","rttMs":0.3},{"ttl":2,"address":"10.0.1.1","rttMs":4.1},{"ttl":3,"address":"10.0.2.1","rttMs":12.2}]'::jsonb,
      123456789, 987654321, 123456, 654321, 0.5, 42`;
  const fillOld = async (table: string) => {
    await q(`insert into ${table} (${sampleColumns}) select ${sampleValues(OLD_DAY, "s")} from tunnel_endpoints e, generate_series(0, ${perEnd - 1}) s`);
  };
  await fillOld("telemetry_samples");
  // Today's samples beside them: the indexes retention walks are as large as a live table's.
  await q(`insert into telemetry_samples (${sampleColumns}) select ${sampleValues(NEW_DAY, "s")} from tunnel_endpoints e, generate_series(0, ${perEnd - 1}) s`);
  await q("vacuum analyze telemetry_samples");

  const walNow = async () => (await q("select pg_current_wal_lsn() as lsn")).rows[0].lsn as string;
  const walSince = async (from: string) => Number((await q("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint as bytes", [from])).rows[0].bytes);
  const cutoff = `${OLD_DAY}T23:59:59Z`;

  // Deletion as lib/telemetry/retention.ts does it, each batch its own transaction.
  const deleteAll = async (client: pg.Client, signal: { stop: boolean }) => {
    let deleted = 0;
    let batches = 0;
    for (;;) {
      await client.query("begin");
      const r = await client.query(
        `with gone as (delete from telemetry_samples where ctid = any(array(select ctid from telemetry_samples where measured_at < $1 and received_at <= $1 limit ${BATCH})) returning 1) select count(*)::int as n from gone`,
        [cutoff],
      );
      await client.query("commit");
      deleted += r.rows[0].n;
      batches += 1;
      if (r.rows[0].n < BATCH || signal.stop) return { deleted, batches };
    }
  };

  let wal = await walNow();
  let t = performance.now();
  const alone = await deleteAll(db, { stop: false });
  const deleteMs = performance.now() - t;
  const deleteWal = await walSince(wal);
  wal = await walNow();
  t = performance.now();
  await q("vacuum telemetry_samples");
  const vacuumMs = performance.now() - t;
  const vacuumWal = await walSince(wal);
  console.log(`[retention] deleted ${alone.deleted} in ${alone.batches} batches: ${deleteMs.toFixed(0)} ms, ${(deleteWal / 1e6).toFixed(0)} MB WAL; vacuum ${vacuumMs.toFixed(0)} ms, ${(vacuumWal / 1e6).toFixed(0)} MB WAL`);

  // Ingest-shaped inserts: alone, then while the same deletion runs on another connection.
  let minute = 0;
  const insertBatch = async (table: string) => {
    const day = "2026-11-29";
    const step = minute++;
    const started = performance.now();
    await q(`insert into ${table} (${sampleColumns}) select ${sampleValues(day, String(step))} from (select id from tunnel_endpoints order by id limit ${INSERT_ROWS} offset ${(step * INSERT_ROWS) % ENDS}) e`);
    return performance.now() - started;
  };
  const inserts = async (table: string, n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await insertBatch(table));
    return times;
  };
  const insertAlone = await inserts("telemetry_samples", INSERTS);
  await fillOld("telemetry_samples");
  await q("vacuum analyze telemetry_samples");
  const deleter = new pg.Client({ connectionString: url });
  await deleter.connect();
  const signal = { stop: false };
  const deleting = deleteAll(deleter, signal);
  const insertDuring: number[] = [];
  let settled = false;
  void deleting.finally(() => (settled = true));
  while (!settled) insertDuring.push(await insertBatch("telemetry_samples"));
  const during = await deleting;
  await deleter.end();

  // The same rows in a table partitioned by day.
  await q(`create table samples_by_day (like telemetry_samples including defaults) partition by range (measured_at)`);
  await q(`alter table samples_by_day add primary key (endpoint_id, measured_at)`);
  await q(`create index on samples_by_day (measured_at)`);
  await q(`create index on samples_by_day (received_at)`);
  for (const day of [OLD_DAY, NEW_DAY, "2026-11-29"]) {
    await q(`create table "samples_${day}" partition of samples_by_day for values from ('${day}') to (timestamptz '${day}' + interval '1 day')`);
  }
  await q(`create table samples_default partition of samples_by_day default`);
  await fillOld("samples_by_day");
  await q(`insert into samples_by_day select * from telemetry_samples where measured_at >= '${NEW_DAY}'`);
  await q("vacuum analyze samples_by_day");
  const insertPartitioned = await inserts("samples_by_day", INSERTS);
  const insertPlainAgain = await inserts("telemetry_samples", INSERTS);
  wal = await walNow();
  t = performance.now();
  // Not CONCURRENTLY: PostgreSQL refuses that while a default partition exists. A plain detach
  // (and a drop) takes an ACCESS EXCLUSIVE lock on the parent: ingest waits for it.
  await q(`alter table samples_by_day detach partition "samples_${OLD_DAY}"`);
  const detachMs = performance.now() - t;
  t = performance.now();
  await q(`drop table "samples_${OLD_DAY}"`);
  const dropMs = performance.now() - t;
  const dropWal = await walSince(wal);
  await db.end();

  const p = (values: number[], fraction: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * fraction))]!;
  const fmt = (values: number[]) => `${p(values, 0.5).toFixed(0)} / ${p(values, 0.9).toFixed(0)} / ${Math.max(...values).toFixed(0)} ms (${values.length})`;
  const perRowUs = (deleteMs * 1000) / alone.deleted;
  const dayRows = ENDS * 8_640;
  console.log(
    JSON.stringify(
      {
        rowsDeleted: alone.deleted,
        batches: alone.batches,
        deleteMs: Math.round(deleteMs),
        deleteUsPerRow: Number(perRowUs.toFixed(1)),
        deleteWalBytesPerRow: Math.round(deleteWal / alone.deleted),
        vacuumMs: Math.round(vacuumMs),
        vacuumWalMB: Math.round(vacuumWal / 1e6),
        aDayOfTheFleet: { rows: dayRows, deleteMinutes: Number(((perRowUs * dayRows) / 60e6).toFixed(1)), walGB: Number(((deleteWal / alone.deleted) * dayRows / 1e9).toFixed(1)) },
        insert2000: { alone: fmt(insertAlone), duringDeletion: fmt(insertDuring), deletionWhileInserting: during, partitioned: fmt(insertPartitioned), plainAgain: fmt(insertPlainAgain) },
        partition: { detachMs: Math.round(detachMs), dropMs: Math.round(dropMs), walBytes: dropWal },
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
