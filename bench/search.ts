/**
 * The header's search box on a 1,000-tenant fleet (each a /24 of its own, one tunnel, both ends
 * reporting 128 learned MACs): one search as the route runs it (all four kinds at once), median
 * of 21, as planned and with index scans turned off in the same run, so the ratio says what the
 * subnet's GiST index (migration 0013) buys; the other kinds have no index of their own.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { eq, sql } from "drizzle-orm";
import type { DatabaseTarget } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db/client";
import { tunnelEndpoints } from "@/lib/db/schema";
import { searchFleet } from "@/lib/queries/search";
import { createTunnels } from "@/tests/support/telemetry-fixtures";
import { tempPgliteTarget } from "./allocation";

const TENANTS = 1_000;
const MACS_PER_END = 128;
const RUNS = 21;

const mac = (n: number) => `02:00:${[n >> 24, n >> 16, n >> 8, n].map((b) => (b & 255).toString(16).padStart(2, "0")).join(":")}`;

const QUERIES = [
  ["an address in tenant 968's /24", "10.3.200.17"],
  ["a MAC one end reported (Cisco form)", ""],
  ["a name fragment", "Tenant 96"],
  ["a gateway host name", "gw-0968"],
] as const;

type Row = { label: string; indexedMs: number; scanMs: number; hits: number };

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function time(db: Database, q: string, indexes: boolean): Promise<{ ms: number; hits: number }> {
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < RUNS; i++) {
    await db.transaction(async (tx) => {
      if (!indexes) {
        await tx.execute(sql`set local enable_indexscan = off`);
        await tx.execute(sql`set local enable_bitmapscan = off`);
      }
      const started = performance.now();
      const result = await searchFleet(tx as unknown as Database, q, { kind: "fleet" });
      times.push(performance.now() - started);
      hits = result.groups.reduce((n, g) => n + g.hits.length, 0);
    });
  }
  return { ms: median(times), hits };
}

async function measure(target: DatabaseTarget): Promise<Row[]> {
  const handle = await openDatabase(target);
  try {
    const fleet = await createTunnels(handle.db, TENANTS);
    let n = 0;
    for (const [i, tunnel] of fleet.entries()) {
      for (const endpointId of [tunnel.source, tunnel.avs]) {
        const local = Array.from({ length: MACS_PER_END }, () => mac(n++));
        const hostname = endpointId === tunnel.source ? `gw-${String(i).padStart(4, "0")}` : `bridge-${String(i).padStart(4, "0")}`;
        await handle.db.update(tunnelEndpoints).set({ hostname, macReport: { local, tunnel: [], truncated: false, gatewayProbe: null } }).where(eq(tunnelEndpoints.id, endpointId));
      }
    }
    await handle.db.execute(sql`analyze`);
    // The 968th tenant's source end's 5th MAC, written as a Cisco switch prints it.
    const target = mac(968 * 2 * MACS_PER_END + 5).replace(/:/g, "").replace(/(.{4})(.{4})(.{4})/, "$1.$2.$3");
    const rows: Row[] = [];
    for (const [label, q] of QUERIES) {
      const text = q || target;
      const indexed = await time(handle.db, text, true);
      const scan = await time(handle.db, text, false);
      rows.push({ label, indexedMs: indexed.ms, scanMs: scan.ms, hits: indexed.hits });
    }
    return rows;
  } finally {
    await handle.close();
  }
}

export async function benchSearch(postgresUrl: string): Promise<string> {
  console.log("[bench] search on PGlite…");
  const lite = await measure(tempPgliteTarget());
  console.log("[bench] search on PostgreSQL…");
  const server = await measure({ kind: "postgres", url: postgresUrl });
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}: one search as GET /api/search runs it (tenants, networks, gateways and MACs asked at once), ${TENANTS.toLocaleString("en")} tenants with one tunnel each, ${MACS_PER_END} MACs reported by each end; ms, median of ${RUNS}. "No index scans" turns index and bitmap scans off in the same run.`,
    "",
    "| search | PGlite (ms) | PGlite, no index scans | ratio | PostgreSQL (ms) | PostgreSQL, no index scans | ratio | results |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [i, row] of lite.entries()) {
    const pg = server[i]!;
    lines.push(`| ${row.label} | ${row.indexedMs.toFixed(2)} | ${row.scanMs.toFixed(2)} | ${(row.scanMs / row.indexedMs).toFixed(1)}× | ${pg.indexedMs.toFixed(2)} | ${pg.scanMs.toFixed(2)} | ${(pg.scanMs / pg.indexedMs).toFixed(1)}× | ${row.hits} |`);
  }
  return lines.join("\n");
}
