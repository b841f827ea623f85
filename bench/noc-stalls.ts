/**
 * `npm run bench -- stalls`: what holds the console's thread or its database connection in the
 * fleet-scale run's background work, in one process, old and new side by side on the same data:
 * - PostgreSQL, 10,000 tunnels seeded as bench/scale.ts seeds them (20 minutes of every end's
 *   samples through the ingest writer, rolled up by the maintenance job's own rounds): one
 *   refresh of the wall's snapshot (read + build + JSON + ETag) in one piece, in 10 ms slices with
 *   one statement per read, and in slices with the tile and end rows read in pages (now), taking
 *   turns; for each, its wall time and the longest stretch the event loop could not turn (a 1 ms
 *   timer chain beside it), on a warm sparkline store and on a cold one (a console's first
 *   refresh: every minute row of the hour).
 * - PGlite, 1,000 tunnels with an hour of history, as bench/scale.ts: how long ANALYZE of the
 *   telemetry tables holds the one connection (its transaction), the whole table as before and
 *   as table-statistics.ts samples it now, taking turns.
 * BENCH_STALLS_ONLY=postgres|pglite runs one part; BENCH_STALLS_PG_TUNNELS (10000) sets the fleet.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { getNocSnapshot } from "@/lib/queries/noc";
import { serveNocSnapshot } from "@/lib/queries/noc-cache";
import { PAGE_ROWS } from "@/lib/queries/read-in-pages";
import { runMaintenanceRound } from "@/lib/telemetry/maintenance";
import { analyzeTable, type TelemetryTable } from "@/lib/telemetry/table-statistics";
import type { BenchContext } from "./run";
import { createFleet, ingestHistory, SAMPLE_EVERY_MS } from "./scale-fleet";

const ONLY = process.env.BENCH_STALLS_ONLY;
const PG_TUNNELS = Number(process.env.BENCH_STALLS_PG_TUNNELS ?? 10_000);
const ROUNDS = 3;
const WHOLE = { sliceMs: Number.POSITIVE_INFINITY, pageRows: Number.POSITIVE_INFINITY };
/**
 * How a refresh is cut: in one piece, in slices with one statement per read, in slices and pages
 * (now). "One statement per read" is today's paged statement with no limit, so it carries the
 * paging's ORDER BY on the ends (a sort of their rows the read before pages did not do): close
 * to the old read, not the same.
 */
const CUTS = { whole: WHOLE, sliced: { pageRows: Number.POSITIVE_INFINITY }, paged: {} } as const;
type Cut = keyof typeof CUTS;

type Refresh = { ms: number; blockMs: number; bytes: number };

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

async function refresh(db: Database, at: Date, cut: Cut): Promise<Refresh> {
  const options: { sliceMs?: number; pageRows?: number } = CUTS[cut];
  const { ms, blockMs, result } = await longestBlock(async () => serveNocSnapshot(await getNocSnapshot(db, at, options), { sliceMs: options.sliceMs }));
  return { ms, blockMs, bytes: Buffer.byteLength(result.body) };
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
    const cuts = Object.keys(CUTS) as Cut[];
    const cold = {} as Record<Cut, Refresh>;
    // A console's first refresh: a handle of its own has no kept minutes yet.
    for (const cut of cuts) {
      const fresh = await openDatabase(target);
      try {
        cold[cut] = await refresh(fresh.db, at, cut);
      } finally {
        await fresh.close();
      }
    }
    await refresh(handle.db, at, "paged");
    const warm = Object.fromEntries(cuts.map((cut) => [cut, [] as Refresh[]])) as Record<Cut, Refresh[]>;
    for (let round = 0; round < ROUNDS; round++) for (const cut of cuts) warm[cut].push(await refresh(handle.db, at, cut));
    // The JavaScript alone, in one piece: building from the reads, then JSON + ETag.
    const snapshot = await getNocSnapshot(handle.db, at, WHOLE);
    const serialize = await longestBlock(() => serveNocSnapshot(snapshot, WHOLE));
    const median = (list: Refresh[], key: keyof Refresh) => [...list.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const row = (label: string, runs: Record<Cut, Refresh[]>) =>
      `| ${label} | ${cuts.map((cut) => `${median(runs[cut], "ms").toFixed(0)} ms | ${median(runs[cut], "blockMs").toFixed(0)} ms`).join(" | ")} | ${(median(runs.sliced, "blockMs") / median(runs.paged, "blockMs")).toFixed(1)}× |`;
    return [
      `**PostgreSQL, ${PG_TUNNELS.toLocaleString("en")} tunnels**, ${samples.toLocaleString("en")} samples (20 minutes of every end), snapshot ${(warm.paged[0]!.bytes / 1024).toFixed(0)} KiB; one refresh of the wall's snapshot (read, build, JSON, ETag): in one piece; in 10 ms slices with one statement per read (before); in slices with the tile and end rows read ${PAGE_ROWS.toLocaleString("en")} at a time (now). Warm: median of ${ROUNDS}, taking turns:`,
      "",
      "| refresh | one piece: takes | longest block | slices: takes | longest block | slices + pages: takes | longest block | block, slices ÷ slices + pages |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      row("first (every minute row of the hour read)", Object.fromEntries(cuts.map((cut) => [cut, [cold[cut]]])) as Record<Cut, Refresh[]>),
      row("every 5 s after (warm)", warm),
      "",
      `JSON + ETag alone, in one piece: ${serialize.ms.toFixed(0)} ms.`,
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
