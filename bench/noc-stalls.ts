/**
 * `npm run bench -- stalls`: what holds the console's thread or its database connection in the
 * fleet-scale run's background work, in one process, old and new side by side on the same data:
 * - PostgreSQL, 10,000 tunnels seeded as bench/scale.ts seeds them (20 minutes of every end's
 *   samples through the ingest writer, rolled up by the maintenance job's own rounds): one
 *   refresh of the wall's snapshot (read + build + JSON + ETag) with its tile and end rows through
 *   drizzle (before, tests/support/noc-snapshot-before.ts) and as the driver's rows (now), taking turns; for each,
 *   its wall time, the longest stretch the event loop could not turn (a 1 ms timer chain beside
 *   it), the bytes it allocated and the collections it caused, on a warm sparkline store and on a
 *   cold one (a console's first refresh: every minute row of the hour). The two must give the
 *   same bytes. (The earlier columns, in one piece and one statement per read, are in
 *   docs/benchmarks.md "Stalls at fleet scale" and "Fleet scale".)
 * - PGlite, 1,000 tunnels with an hour of history, as bench/scale.ts: how long ANALYZE of the
 *   telemetry tables holds the one connection (its transaction), the whole table as before and
 *   as table-statistics.ts samples it now, taking turns.
 * BENCH_STALLS_ONLY=postgres|pglite runs one part; BENCH_STALLS_PG_TUNNELS (10000) sets the fleet,
 * BENCH_STALLS_PG_ROUNDS (7) the warm refreshes of each.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { getNocSnapshot } from "@/lib/queries/noc";
import { serveNocSnapshot } from "@/lib/queries/noc-cache";
import { readWallSparklines } from "@/lib/queries/noc-sparklines";
import { readNocTileRows } from "@/lib/queries/noc-tiles";
import { readCurrentEnds } from "@/lib/queries/tunnel-throughput";
import { PAGE_ROWS, type PageOptions } from "@/lib/queries/read-in-pages";
import type { SliceOptions } from "@/lib/server/time-slices";
import { runMaintenanceRound } from "@/lib/telemetry/maintenance";
import { analyzeTable, type TelemetryTable } from "@/lib/telemetry/table-statistics";
import type { BenchContext } from "./run";
import { getNocSnapshotBefore, readCurrentEndsAsBefore, readTileAndEndRowsBefore } from "@/tests/support/noc-snapshot-before";
import { createFleet, ingestHistory, SAMPLE_EVERY_MS } from "./scale-fleet";

const ONLY = process.env.BENCH_STALLS_ONLY;
const PG_TUNNELS = Number(process.env.BENCH_STALLS_PG_TUNNELS ?? 10_000);
const ROUNDS = 3;
/** Warm refreshes of each variant on PostgreSQL, taking turns (the figure is their median). */
const PG_ROUNDS = Number(process.env.BENCH_STALLS_PG_ROUNDS ?? 7);
const WHOLE = { sliceMs: Number.POSITIVE_INFINITY, pageRows: Number.POSITIVE_INFINITY };
/**
 * The refresh before and now, both in 10 ms slices with the tile and end rows in pages of
 * PAGE_ROWS: before, a tile row and an end row per end through drizzle's select (an object per
 * row, a Date per timestamp; each end's rate through counterRates: tests/support/noc-snapshot-before.ts,
 * main at e84f2d1); now, one driver row per tunnel with its ends folded in and its times as text and
 * numbers (lib/queries/noc-tiles.ts), each end's rate worked out from its two samples directly.
 */
const VARIANTS = { before: getNocSnapshotBefore, now: getNocSnapshot } as const;
type Variant = keyof typeof VARIANTS;

type Refresh = { ms: number; blockMs: number; bytes: number; etag: string; scavenges: number; gcMs: number; allocatedBytes: number };

/** A full collection between measured refreshes, so each starts with an empty young generation and its scavenges are its own. */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** The longest gap between turns of the event loop while `work` runs: a 1 ms timer chain beside it. */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ ms: number; blockMs: number; result: T }> {
  let last = performance.now();
  let longest = 0;
  let on = true;
  const tick = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    if (on) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  on = false;
  // The gap that ends with the work is counted too.
  longest = Math.max(longest, performance.now() - last);
  return { ms, blockMs: longest, result };
}

/**
 * One refresh (read, build, JSON, ETag) with its garbage: the collections V8 ran during it (the
 * scavenges counted apart) and the bytes it allocated on the heap (what the heap grew by plus what
 * every collection freed; strings and objects, not the driver's socket buffers outside the heap).
 */
type Garbage = { scavenges: number; gcMs: number; allocatedBytes: number };

/**
 * `work` with its garbage: the collections V8 ran meanwhile (the scavenges counted apart) and the
 * bytes it allocated on the heap (what the heap grew by plus what every collection freed: objects
 * and strings, not the driver's socket buffers outside the heap). After a full collection, so the
 * young generation starts empty and the scavenges are the work's own.
 */
async function withGarbage<T>(work: () => Promise<T>): Promise<Garbage & { result: T }> {
  collectGarbage();
  const usedBefore = v8.getHeapStatistics().used_heap_size;
  const profiler = new v8.GCProfiler();
  profiler.start();
  const result = await work();
  const usedAfter = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return {
    result,
    scavenges: statistics.filter((gc) => gc.gcType === "Scavenge").length,
    gcMs: statistics.reduce((sum, gc) => sum + gc.cost, 0) / 1000,
    allocatedBytes: usedAfter - usedBefore + freed,
  };
}

async function refresh(db: Database, at: Date, variant: Variant, options: SliceOptions & PageOptions = {}): Promise<Refresh> {
  const { result, ...garbage } = await withGarbage(() => longestBlock(async () => serveNocSnapshot(await VARIANTS[variant](db, at, options), { sliceMs: options.sliceMs })));
  return { ms: result.ms, blockMs: result.blockMs, bytes: Buffer.byteLength(result.result.body), etag: result.result.etag, ...garbage };
}

/** What each read of a warm refresh allocates alone (median of ROUNDS, taking turns): where the garbage left is. */
async function readsAlone(db: Database, at: Date): Promise<string[]> {
  const parts: [string, () => Promise<unknown>][] = [
    ["tile and end rows through drizzle (before)", () => readTileAndEndRowsBefore(db)],
    ["tile rows from the driver (now)", () => readNocTileRows(db, { now: at, roleMaxAgeMs: 90_000 })],
    ["each end's newest RTT and rate, taken in as before (counterRates per end)", () => readCurrentEndsAsBefore(db, { now: at, maxGapMs: 90_000 })],
    ["each end's newest RTT and rate, now (readCurrentEnds)", () => readCurrentEnds(db, { now: at, maxGapMs: 90_000 })],
    ["sparklines, warm (readWallSparklines)", () => readWallSparklines(db, { since: new Date(at.getTime() - 60 * 60_000), now: at, points: 60 })],
  ];
  const runs = new Map<string, (Garbage & { ms: number })[]>(parts.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, read] of parts) {
      const started = performance.now();
      const { scavenges, gcMs, allocatedBytes } = await withGarbage(read);
      runs.get(label)!.push({ scavenges, gcMs, allocatedBytes, ms: performance.now() - started });
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return [
    `Each read of a warm refresh alone (its rows as the refresh receives them, before it builds anything), median of ${ROUNDS}, taking turns:`,
    "",
    "| read | takes | allocated | scavenges (all GC) |",
    "| --- | ---: | ---: | ---: |",
    ...parts.map(([label]) => {
      const list = runs.get(label)!;
      return `| ${label} | ${median(list.map((r) => r.ms)).toFixed(0)} ms | ${(median(list.map((r) => r.allocatedBytes)) / 2 ** 20).toFixed(1)} MiB | ${median(list.map((r) => r.scavenges))} (${median(list.map((r) => r.gcMs)).toFixed(0)} ms) |`;
    }),
  ];
}

async function postgresPart(postgresUrl: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query("drop database if exists bench_stalls with (force)");
  await admin.query("create database bench_stalls");
  await admin.end();
  const target: DatabaseTarget = { kind: "postgres", url: postgresUrl.replace(/\/[^/]+$/, "/bench_stalls") };
  const handle = await openDatabase(target);
  try {
    console.log(`[bench] stalls: PostgreSQL, ${PG_TUNNELS} tunnels: seeding…`);
    const { agents } = await createFleet(handle.db, PG_TUNNELS, "stalls");
    const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
    const samples = await ingestHistory(handle.db, agents, new Date(end - 20 * 60_000), new Date(end), 8);
    for (let i = 0; i < 1_000; i++) {
      const round = await runMaintenanceRound(handle.db, { now: new Date(end + 1_000) });
      if (round.skipped || round.caughtUp) break;
    }
    console.log(`[bench] stalls: ${samples} samples stored and rolled up`);
    // Every end reported in the last 90 s: every tile has an RTT, a rate and a line.
    const at = new Date(end + 5_000);
    const variants = Object.keys(VARIANTS) as Variant[];
    const cold = {} as Record<Variant, Refresh>;
    // A console's first refresh: a handle of its own has no kept minutes yet.
    for (const variant of variants) {
      const fresh = await openDatabase(target);
      try {
        cold[variant] = await refresh(fresh.db, at, variant);
      } finally {
        await fresh.close();
      }
    }
    await refresh(handle.db, at, "now");
    const warm = Object.fromEntries(variants.map((variant) => [variant, [] as Refresh[]])) as Record<Variant, Refresh[]>;
    for (let round = 0; round < PG_ROUNDS; round++) for (const variant of variants) warm[variant].push(await refresh(handle.db, at, variant));
    // Both give the wall the same bytes (the ETag is their hash), or the comparison means nothing.
    const pairs: [Refresh, Refresh][] = [[cold.before, cold.now], ...warm.now.map((r, i): [Refresh, Refresh] => [warm.before[i]!, r])];
    if (pairs.some(([before, now]) => before.etag !== now.etag)) throw new Error("the new snapshot differs from the old one on the same data");
    const alone = await readsAlone(handle.db, at);
    // The JavaScript alone, in one piece: JSON + ETag.
    const snapshot = await getNocSnapshot(handle.db, at, WHOLE);
    const serialize = await longestBlock(() => serveNocSnapshot(snapshot, WHOLE));
    const median = (list: Refresh[], key: "ms" | "blockMs" | "scavenges" | "gcMs" | "allocatedBytes") => [...list.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const figures = (list: Refresh[]) => [
      `${median(list, "ms").toFixed(0)} ms`,
      `${median(list, "blockMs").toFixed(0)} ms`,
      `${(median(list, "allocatedBytes") / 2 ** 20).toFixed(0)} MiB`,
      `${median(list, "scavenges")} (${median(list, "gcMs").toFixed(0)} ms)`,
    ];
    const ratio = (runs: Record<Variant, Refresh[]>, key: "ms" | "blockMs" | "allocatedBytes") => `${(median(runs.before, key) / median(runs.now, key)).toFixed(2)}×`;
    const row = (label: string, runs: Record<Variant, Refresh[]>) =>
      `| ${label} | ${[...figures(runs.before), ...figures(runs.now)].join(" | ")} | ${ratio(runs, "ms")} / ${ratio(runs, "blockMs")} / ${ratio(runs, "allocatedBytes")} |`;
    const coldRuns = Object.fromEntries(variants.map((variant) => [variant, [cold[variant]]])) as Record<Variant, Refresh[]>;
    return [
      `**PostgreSQL, ${PG_TUNNELS.toLocaleString("en")} tunnels**, ${samples.toLocaleString("en")} samples (20 minutes of every end), snapshot ${(warm.now[0]!.bytes / 1024).toFixed(0)} KiB, the same bytes from both; one refresh of the wall's snapshot (read, build, JSON, ETag) in 10 ms slices with the tile and end rows read ${PAGE_ROWS.toLocaleString("en")} at a time: before (e84f2d1), through drizzle (a row per tunnel and per end, a Date per timestamp) and each end's rate through counterRates; now, the driver's rows (a row per tunnel, times as text and numbers) and each rate from its two samples directly. Each after a full collection; heap allocated = growth + what collections freed. Warm: median of ${PG_ROUNDS}, taking turns:`,
      "",
      "| refresh | before: takes | longest block | allocated | scavenges (all GC) | now: takes | longest block | allocated | scavenges (all GC) | before ÷ now: takes / block / allocated |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      row("first (every minute row of the hour read)", coldRuns),
      row("every 5 s after (warm)", warm),
      "",
      `Warm rounds, longest block before / now: ${warm.before.map((r) => r.blockMs.toFixed(0)).join(", ")} / ${warm.now.map((r) => r.blockMs.toFixed(0)).join(", ")} ms; allocated before / now: ${warm.before.map((r) => (r.allocatedBytes / 2 ** 20).toFixed(0)).join(", ")} / ${warm.now.map((r) => (r.allocatedBytes / 2 ** 20).toFixed(0)).join(", ")} MiB. JSON + ETag alone, in one piece: ${serialize.ms.toFixed(0)} ms.`,
      "",
      ...alone,
    ];
  } finally {
    await handle.close();
  }
}

async function pglitePart(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-stalls-"));
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  try {
    console.log("[bench] stalls: PGlite, 1,000 tunnels: seeding an hour…");
    const { agents } = await createFleet(handle.db, 1_000, "stalls");
    const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
    const samples = await ingestHistory(handle.db, agents, new Date(end - 60 * 60_000), new Date(end), 1);
    for (let i = 0; i < 1_000; i++) {
      const round = await runMaintenanceRound(handle.db, { now: new Date(end + 1_000) });
      if (round.skipped || round.caughtUp) break;
    }
    // Each in a transaction of its own, as the maintenance job's step runs it: on PGlite the
    // transaction holds the one connection, every other statement waits for its end.
    const blocked = async (analyse: (tx: Database) => Promise<unknown>) => {
      const started = performance.now();
      await handle.db.transaction(async (tx) => analyse(tx));
      return performance.now() - started;
    };
    const variants: [string, (tx: Database, table: TelemetryTable) => Promise<unknown>][] = [
      ["whole table, every column (before)", (tx, table) => tx.execute(sql`analyze ${sql.identifier(table)}`)],
      ["the planned columns (now: table-statistics.ts)", (tx, table) => analyzeTable(tx, table)],
      [
        "every column, statistics target 10",
        async (tx, table) => {
          await tx.execute(sql`set local default_statistics_target = 10`);
          await tx.execute(sql`analyze ${sql.identifier(table)}`);
        },
      ],
    ];
    const waits = new Map<string, number[]>(variants.map(([label]) => [label, []]));
    const tables = ["telemetry_samples", "telemetry_rollups"] as const;
    for (let round = 0; round < ROUNDS; round++) {
      for (const table of tables) for (const [label, analyse] of variants) waits.get(label)!.push(await blocked((tx) => analyse(tx, table)));
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const cell = (label: string, t: number) => {
      const list = waits.get(label)!.filter((_, i) => i % tables.length === t);
      return `${median(list).toFixed(0)} ms (${list.map((v) => v.toFixed(0)).join(" / ")})`;
    };
    return [
      `**PGlite, 1,000 tunnels**, ${samples.toLocaleString("en")} samples (an hour of every end) rolled up; how long ANALYZE holds the one connection (its transaction, as the maintenance job runs it), median of ${ROUNDS} rounds taking turns (each round in brackets):`,
      "",
      `| ANALYZE | ${tables.join(" | ")} |`,
      `| --- | ${tables.map(() => "---:").join(" | ")} |`,
      ...variants.map(([label]) => `| ${label} | ${tables.map((_, t) => cell(label, t)).join(" | ")} |`),
    ];
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchNocStalls(context: BenchContext): Promise<string> {
  const load = os.loadavg()[0]!;
  const parts: string[] = [];
  if (!ONLY || ONLY === "pglite") parts.push(...(await pglitePart()), "");
  if (!ONLY || ONLY === "postgres") parts.push(...(await postgresPart(context.postgresUrl)));
  return [`Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, load average ${load.toFixed(1)} at the start (${os.loadavg()[0]!.toFixed(1)} at the end).`, "", ...parts].join("\n");
}
