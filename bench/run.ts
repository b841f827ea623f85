/**
 * `npm run bench`: every benchmark, in one run on this machine, written to docs/benchmarks.md.
 * Absolute numbers depend on the machine; the ratios beside them are what to compare.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import pg from "pg";
import { startTestPostgres } from "@/tests/support/postgres-server";
import { benchAllocation, tempPgliteTarget, type AllocationFigures } from "./allocation";
import { benchGateway, renderGateway } from "./gateway";
import { benchIngest } from "./ingest";
import { benchIngestCapacity } from "./ingest-capacity";
import { benchIngestDoor } from "./ingest-door";
import { benchIngestWriter } from "./ingest-writer";
import { benchMetrics } from "./metrics";
import { benchNocSnapshot } from "./noc-snapshot";
import { benchNocStalls } from "./noc-stalls";
import { benchPostCost } from "./post-cost";
import { benchPages } from "./pages";
import { benchSessions } from "./sessions";
import { benchParsers } from "./parsers";
import { benchRollup } from "./rollup";
import { benchSampleWindows } from "./sample-windows";
import { benchScale } from "./scale";
import { benchSearch } from "./search";
import { benchTelemetry, renderTelemetry } from "./telemetry";
import { benchTenantCharts } from "./tenant-charts";
import { benchViews } from "./views";

const fmt = (n: number) => n.toFixed(0);

/**
 * One entry per benchmark: `npm run bench` runs them all, `npm run bench -- ingest gateway` only
 * those named. Each returns the markdown for its section of docs/benchmarks.md.
 */
export type BenchContext = { postgresUrl: string };
const BENCHMARKS: Record<string, (context: BenchContext) => Promise<string>> = {
  allocation: async ({ postgresUrl }) => {
    console.log("[bench] allocation on PGlite…");
    const lite = await benchAllocation(tempPgliteTarget());
    console.log("[bench] allocation on PostgreSQL…");
    const server = await benchAllocation({ kind: "postgres", url: postgresUrl });
    return renderAllocation(lite, server);
  },
  ingest: () => benchIngest(),
  "ingest-door": (context) => benchIngestDoor(context),
  "ingest-capacity": (context) => benchIngestCapacity(context),
  "ingest-writer": (context) => benchIngestWriter(context),
  "post-cost": (context) => benchPostCost(context),
  telemetry: async ({ postgresUrl }) => {
    console.log("[bench] telemetry reads and roll-ups on PGlite…");
    const target = tempPgliteTarget();
    const lite = await benchTelemetry(target).finally(() => {
      // Half a gigabyte of samples: not left behind in the temp folder.
      if (target.kind === "pglite" && target.dataDir) fs.rmSync(path.dirname(target.dataDir), { recursive: true, force: true });
    });
    console.log("[bench] telemetry reads and roll-ups on PostgreSQL…");
    // A database of its own: its reads count every tunnel and endpoint there is.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query("create database bench_telemetry");
    await admin.end();
    const server = await benchTelemetry({ kind: "postgres", url: postgresUrl.replace(/\/bench$/, "/bench_telemetry") });
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    return [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, PostgreSQL ${postgresVersion()} on loopback (fsync off), PGlite in a data folder: ` +
        "1,000 tunnels (2,000 endpoints), an hour of samples every 10 s from each; reads are the median of 5.",
      "",
      renderTelemetry([
        ["PGlite", lite],
        ["PostgreSQL", server],
      ]),
    ].join("\n");
  },
  gateway: async () => {
    console.log("[bench] gateway config generation…");
    return renderGateway(await benchGateway());
  },
  views: () => benchViews(),
  noc: () => benchNocSnapshot(),
  stalls: (context) => benchNocStalls(context),
  "sample-windows": (context) => benchSampleWindows(context),
  charts: () => benchTenantCharts(),
  scale: (context) => benchScale(context),
  rollup: (context) => benchRollup(context),
  parsers: () => benchParsers(),
  metrics: async ({ postgresUrl }) => {
    // A database of its own: the scrape reads every tunnel there is.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query("create database bench_metrics");
    await admin.end();
    return benchMetrics(postgresUrl.replace(/\/bench$/, "/bench_metrics"));
  },
  pages: () => benchPages(),
  search: async ({ postgresUrl }) => {
    // A database of its own: the search reads every tenant there is.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query("create database bench_search");
    await admin.end();
    return benchSearch(postgresUrl.replace(/\/bench$/, "/bench_search"));
  },
  sessions: async ({ postgresUrl }) => {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query("create database bench_sessions");
    await admin.end();
    return benchSessions(postgresUrl.replace(/\/bench$/, "/bench_sessions"));
  },
};

async function main() {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const unknown = wanted.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`No benchmark named ${unknown.join(", ")}; there are: ${Object.keys(BENCHMARKS).join(", ")}.`);
  const postgres = await startTestPostgres();
  if ("unavailable" in postgres) throw new Error(`The benchmark needs PostgreSQL: ${postgres.unavailable}`);
  try {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query("create database bench");
    await admin.end();
    const postgresUrl = postgres.url.replace(/\/postgres$/, "/bench");
    for (const [name, run] of Object.entries(BENCHMARKS)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      const report = await run({ postgresUrl });
      console.log(report);
      writeSection(name, report);
    }
  } finally {
    postgres.stop();
  }
}

function renderAllocation(lite: AllocationFigures, server: AllocationFigures): string {
  const rows: [string, keyof AllocationFigures][] = [
    ["onboarding, one after another", "onboardSequential"],
    ["onboarding, 200 at once", "onboardConcurrent"],
    ["bare allocation, one after another", "allocateSequential"],
    ["bare allocation, 200 at once", "allocateConcurrent"],
  ];
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, ` +
      `PostgreSQL ${postgresVersion()} on loopback (fsync off, as in the tests), PGlite in a data folder. Best of 3 rounds of 200.`,
    "",
    "| per second | PGlite | PostgreSQL | PostgreSQL ÷ PGlite |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(([label, key]) => `| ${label} | ${fmt(lite[key])} | ${fmt(server[key])} | ${(server[key] / lite[key]).toFixed(2)}× |`),
    "",
    `Concurrent ÷ sequential onboarding: PGlite ${(lite.onboardConcurrent / lite.onboardSequential).toFixed(2)}×, ` +
      `PostgreSQL ${(server.onboardConcurrent / server.onboardSequential).toFixed(2)}×.`,
  ];
  return lines.join("\n");
}

function postgresVersion(): string {
  try {
    return /(\d+\.\d+)/.exec(execFileSync("psql", ["--version"]).toString())?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/** Replaces one benchmark's section in docs/benchmarks.md, leaving the others as they were. */
function writeSection(name: string, body: string) {
  const file = "docs/benchmarks.md";
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nWritten by `npm run bench`.\n";
  const block = `${begin}\n${body}\n${end}`;
  text = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), block) : `${text}\n## ${name}\n\n${block}\n`;
  fs.writeFileSync(file, text);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
