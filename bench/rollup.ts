/**
 * Roll-ups at fleet scale (issue 16): an hour's backlog at 1,000 tunnels (2,000 ends, a sample
 * every 10 s: 720,000 samples written through the ingest path's own writer, as bench/scale.ts
 * writes them), rolled up by the maintenance job's own rounds; then steady state, one minute of
 * new samples from every end and one round. The roll-ups as they were (bench/rollup-before.ts)
 * and as they are run on copies of the same seeded data folder in the same run, so the figures
 * compare as ratios. `npm run bench -- rollup`, or `npx tsx --require ./scripts/server-only.cjs
 * bench/rollup.ts` alone.
 *
 * The same on PostgreSQL (the benchmark runner's server, loopback, fsync off): seeded once into a
 * database of its own, each variant on a copy made from it as a template.
 *
 * Knobs (environment): BENCH_ROLLUP_TUNNELS (1000), BENCH_ROLLUP_STEADY (steady minutes per
 * variant, 3), BENCH_ROLLUP_DATABASES (pglite,postgres), BENCH_ROLLUP_TRACE=1 (print
 * EXPLAIN (ANALYZE, BUFFERS) of the roll-up statements that took BENCH_ROLLUP_TRACE_MIN ms (200) or more), BENCH_ROLLUP_TEMPLATE=<folder> (keep the seeded
 * data folder there and reuse it next time: seeding takes minutes), BENCH_ROLLUP_ONLY=before|now,
 * BENCH_ROLLUP_CHUNKS=<samples>,<chunks> (the 1-minute roll-up's chunk limits for "now").
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type SQL } from "drizzle-orm";
import pg from "pg";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { lockedSteps, runMaintenanceRound } from "@/lib/telemetry/maintenance";
import type { StepRunner } from "@/lib/telemetry/rollup";
import { queryRows } from "@/lib/telemetry/sql";
import { runMaintenanceRoundBefore } from "./rollup-before";
import { createFleet, ingestHistory, SAMPLE_EVERY_MS, sampleOf, type FleetAgent } from "./scale-fleet";

const TUNNELS = Number(process.env.BENCH_ROLLUP_TUNNELS ?? 1_000);
const STEADY_MINUTES = Number(process.env.BENCH_ROLLUP_STEADY ?? 3);
const TRACE = process.env.BENCH_ROLLUP_TRACE === "1";
/** before or now: one variant alone, while trying things out. */
const ONLY = process.env.BENCH_ROLLUP_ONLY;
/** "samples,chunks": the 1-minute roll-up's chunk limits for "now", while trying sizes out. */
const [chunkSamples, maxChunks] = (process.env.BENCH_ROLLUP_CHUNKS ?? "").split(",").map(Number);
const CHUNKS = chunkSamples && maxChunks ? { chunkSamples, maxChunks } : null;
const DATABASES = (process.env.BENCH_ROLLUP_DATABASES ?? "pglite,postgres").split(",") as Kind[];
const MINUTE = 60_000;

type Variant = "before" | "now";
type Kind = "pglite" | "postgres";
type Seeded = { dir: string; end: number; agents: FleetAgent[]; samples: number };
export type VariantFigures = { variant: Variant; kind: Kind; backlogMs: number; rounds: number; steadyMs: number[]; load: number };

/** Opens a fresh copy of the seeded data for one variant; close() also removes the copy. */
type CopyOpener = (variant: Variant) => Promise<DatabaseHandle>;

/** Writes the fleet and an hour of its history through the ingest path's writer. */
async function seedHistory(db: Database): Promise<Omit<Seeded, "dir">> {
  const started = performance.now();
  const { agents } = await createFleet(db, TUNNELS, "rollup");
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  // Agents side by side: the writer groups them into one statement, as it does in the console.
  const samples = await ingestHistory(db, agents, new Date(end - 60 * MINUTE), new Date(end), 64);
  console.log(`[bench] rollup: seeded ${samples} samples in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { end, agents, samples };
}

/** Seeds (or reuses) a PGlite data folder with the fleet and an hour of history. */
async function seed(): Promise<Seeded> {
  const template = process.env.BENCH_ROLLUP_TEMPLATE;
  const meta = template ? path.join(template, "seed.json") : null;
  if (meta && fs.existsSync(meta)) {
    const saved = JSON.parse(fs.readFileSync(meta, "utf8")) as Seeded;
    console.log(`[bench] rollup: reusing ${template} (${saved.samples} samples)`);
    return { ...saved, dir: template! };
  }
  const dir = template ?? fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-rollup-"));
  fs.mkdirSync(dir, { recursive: true });
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  try {
    const seeded = { dir, ...(await seedHistory(handle.db)) };
    if (meta) fs.writeFileSync(meta, JSON.stringify(seeded));
    return seeded;
  } finally {
    await handle.close();
  }
}

/**
 * Every statement a step runs, timed by its first words; with `explain`, also the plan of each
 * roll-up statement, taken just before it runs (in a savepoint, rolled back), so the plan sees
 * what the statement saw. The plans' own runs count in the backlog's time: trace to see, not to time.
 */
function tracingSteps(db: Database, log: Map<string, number[]>, explain: { min: number; plans: string[] } | null): StepRunner {
  const locked = lockedSteps(db);
  const dialect = (db as unknown as { dialect: { sqlToQuery(query: SQL): { sql: string } } }).dialect;
  return (work) =>
    locked((tx) => {
      const traced = new Proxy(tx, {
        get(target, property, receiver) {
          if (property !== "execute") return Reflect.get(target, property, receiver) as unknown;
          return async (query: SQL) => {
            const text = dialect.sqlToQuery(query).sql.replace(/\s+/g, " ").trim();
            const label = labelOf(text);
            const plan =
              explain && label.includes("upsert")
                ? await target
                    .transaction(async (savepoint) => {
                      const rows = await queryRows<{ "QUERY PLAN": string }>(savepoint, sql`explain (analyze, buffers) ${query}`);
                      throw Object.assign(new Error("rollback"), { plan: rows.map((r) => r["QUERY PLAN"]).join("\n") });
                    })
                    .catch((error: { plan?: string }) => error.plan ?? String(error))
                : null;
            const started = performance.now();
            const result = await target.execute(query);
            const ms = performance.now() - started;
            log.set(label, [...(log.get(label) ?? []), ms]);
            if (explain && plan && ms >= explain.min) explain.plans.push(`-- ${label}: ${ms.toFixed(0)} ms\n${plan}`);
            return result;
          };
        },
      });
      return work(traced);
    });
}

function labelOf(text: string): string {
  if (text.startsWith("analyze")) return text.slice(0, 60);
  if (text.includes("offset")) return "chunkEnd: nth sample by arrival (before)";
  if (text.includes("insert into telemetry_rollups") && text.includes("interval '1 hour'")) return "1h upsert";
  if (text.includes("insert into telemetry_rollups")) return "1m upsert (chunk)";
  if (text.startsWith("set local")) return "set local enable_sort";
  if (text.includes("pg_try_advisory")) return "advisory lock";
  if (text.includes("telemetry_watermarks")) return "watermark";
  if (text.includes("delete from")) return "retention delete";
  return text.slice(0, 60);
}

/** Copies of the seeded PGlite data folder. */
const pgliteCopies =
  (seeded: Seeded): CopyOpener =>
  async (variant) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bridgehead-bench-rollup-${variant}-`));
    fs.cpSync(path.join(seeded.dir, "pglite"), path.join(dir, "pglite"), { recursive: true });
    const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
    return { ...handle, close: () => handle.close().finally(() => fs.rmSync(dir, { recursive: true, force: true })) };
  };

/** Seeds a PostgreSQL database of its own, then copies of it (CREATE DATABASE … TEMPLATE). */
async function seedPostgres(serverUrl: string): Promise<{ seeded: Omit<Seeded, "dir">; copies: CopyOpener; drop(): Promise<void> }> {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const urlOf = (name: string) => serverUrl.replace(/\/[^/]+$/, `/${name}`);
  await admin("drop database if exists bench_rollup_seed");
  await admin("create database bench_rollup_seed");
  const handle = await openDatabase({ kind: "postgres", url: urlOf("bench_rollup_seed") });
  let seeded: Omit<Seeded, "dir">;
  try {
    seeded = await seedHistory(handle.db);
  } finally {
    await handle.close();
  }
  return {
    seeded,
    copies: async (variant) => {
      const name = `bench_rollup_${variant}`;
      await admin(`drop database if exists ${name}`);
      await admin(`create database ${name} template bench_rollup_seed`);
      const copy = await openDatabase({ kind: "postgres", url: urlOf(name) });
      return { ...copy, close: () => copy.close().then(() => admin(`drop database if exists ${name}`)) };
    },
    drop: () => admin("drop database if exists bench_rollup_seed"),
  };
}

/** One variant on its own copy of the seeded data: the backlog, then steady minutes. */
async function runVariant(seeded: Omit<Seeded, "dir">, kind: Kind, open: CopyOpener, variant: Variant): Promise<VariantFigures> {
  const handle = await open(variant);
  try {
    const { db } = handle;
    // Both variants start from the same copy, as the scale benchmark's first round does: the
    // hour of samples just written, never analysed.
    const round = async (now: Date, step: StepRunner) => {
      if (variant === "before") return runMaintenanceRoundBefore(db, { now, step });
      const result = await runMaintenanceRound(db, { now, step, ...(CHUNKS ? { minuteChunks: CHUNKS } : {}) });
      if (result.skipped) throw new Error("the round was skipped");
      return result;
    };
    const load = os.loadavg()[0]!;
    const log = new Map<string, number[]>();
    const explain = TRACE ? { min: Number(process.env.BENCH_ROLLUP_TRACE_MIN ?? 200), plans: [] as string[] } : null;
    let rounds = 0;
    const started = performance.now();
    const backlogAt = new Date(seeded.end + 1_000);
    for (; rounds < 1_000; ) {
      const step = tracingSteps(db, log, explain);
      const result = await round(backlogAt, step);
      rounds += 1;
      if (result.caughtUp) break;
    }
    const backlogMs = performance.now() - started;
    console.log(`[bench] rollup: ${kind} ${variant}: backlog of ${seeded.samples} samples in ${(backlogMs / 1000).toFixed(1)} s, ${rounds} round(s), load ${load.toFixed(1)}`);
    for (const [label, times] of log) console.log(`  ${label}: ${times.length} × median ${median(times).toFixed(0)} ms, total ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
    for (const plan of explain?.plans ?? []) console.log(plan);

    // Steady state: every end posts a sample every 10 s for a minute (each a second after it
    // was measured), then the round a few seconds into the next minute, as the job runs it.
    const steadyMs: number[] = [];
    const steadyLog = new Map<string, number[]>();
    for (let m = 0; m < STEADY_MINUTES; m++) {
      const from = seeded.end + m * MINUTE;
      for (let at = from; at < from + MINUTE; at += SAMPLE_EVERY_MS) {
        await Promise.all(seeded.agents.map((agent, i) => ingestSamples(db, agent, [sampleOf(agent, new Date(at))], new Date(at + 1_000 + (i % 1_000)))));
      }
      const t = performance.now();
      await round(new Date(from + MINUTE + 5_000), tracingSteps(db, steadyLog, null));
      steadyMs.push(performance.now() - t);
    }
    console.log(`[bench] rollup: ${kind} ${variant}: steady rounds ${steadyMs.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    for (const [label, times] of steadyLog) console.log(`  ${label}: ${times.length} × median ${median(times).toFixed(0)} ms, total ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
    await checkSame(db, kind, variant);
    return { variant, kind, backlogMs, rounds, steadyMs, load };
  } finally {
    await handle.close();
  }
}

const fingerprints = new Map<string, string>();
/** The two variants must have written the same roll-ups, or the comparison means nothing. */
async function checkSame(db: Database, kind: Kind, variant: Variant) {
  const [row] = await queryRows<{ f: string }>(
    db,
    sql`select count(*) || ':' || sum(samples) || ':' || round(sum(rtt_avg_ms * rtt_samples)::numeric, 3) || ':' || sum(df_probe_failures) as f from telemetry_rollups group by resolution order by resolution`,
  );
  fingerprints.set(`${kind} ${variant}`, row?.f ?? "");
  const other = fingerprints.get(`${kind} ${variant === "before" ? "now" : "before"}`);
  if (other !== undefined && other !== row?.f) throw new Error(`the roll-ups differ on ${kind}: before ${fingerprints.get(`${kind} before`)}, now ${fingerprints.get(`${kind} now`)}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const VARIANTS = (["before", "now"] as const).filter((variant) => !ONLY || ONLY === variant);

export async function benchRollup(context: { postgresUrl: string | null }): Promise<string> {
  const figures: VariantFigures[] = [];
  let samples = 0;
  if (DATABASES.includes("pglite")) {
    const seeded = await seed();
    samples = seeded.samples;
    try {
      for (const variant of VARIANTS) figures.push(await runVariant(seeded, "pglite", pgliteCopies(seeded), variant));
    } finally {
      if (!process.env.BENCH_ROLLUP_TEMPLATE) fs.rmSync(seeded.dir, { recursive: true, force: true });
    }
  }
  if (DATABASES.includes("postgres") && context.postgresUrl) {
    const server = await seedPostgres(context.postgresUrl);
    samples = server.seeded.samples;
    try {
      for (const variant of VARIANTS) figures.push(await runVariant(server.seeded, "postgres", server.copies, variant));
    } finally {
      await server.drop();
    }
  }
  return renderRollup({ samples }, figures);
}

export function renderRollup(seeded: Pick<Seeded, "samples">, figures: VariantFigures[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const empty = (variant: Variant, kind: Kind): VariantFigures => ({ variant, kind, backlogMs: Number.NaN, rounds: 0, steadyMs: [Number.NaN], load: Number.NaN });
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, PGlite in a data folder, PostgreSQL on loopback (fsync off); ` +
      `${TUNNELS.toLocaleString("en")} tunnels, ${seeded.samples.toLocaleString("en")} samples written through the ingest path's writer. Before: the code at 93b129d (bench/rollup-before.ts).`,
    "",
    "| | before | now | before ÷ now | load average at the start (before / now) | aim |",
    "| --- | ---: | ---: | ---: | --- | --- |",
  ];
  for (const kind of ["pglite", "postgres"] as const) {
    const ofKind = figures.filter((f) => f.kind === kind);
    if (ofKind.length === 0) continue;
    const before = ofKind.find((f) => f.variant === "before") ?? empty("before", kind);
    const now = ofKind.find((f) => f.variant === "now") ?? empty("now", kind);
    const name = kind === "pglite" ? "PGlite" : "PostgreSQL";
    const loads = `${before.load.toFixed(1)} / ${now.load.toFixed(1)}`;
    lines.push(
      `| ${name}: an hour's backlog, maintenance rounds until caught up (rounds) | ${s(before.backlogMs)} (${before.rounds}) | ${s(now.backlogMs)} (${now.rounds}) | ${(before.backlogMs / now.backlogMs).toFixed(1)}× | ${loads} | ${kind === "pglite" ? "≤ 10 s" : ""} |`,
      `| ${name}: steady round, one minute of samples from every end (median of ${before.steadyMs.length}) | ${median(before.steadyMs).toFixed(0)} ms | ${median(now.steadyMs).toFixed(0)} ms | ${(median(before.steadyMs) / median(now.steadyMs)).toFixed(1)}× | | |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1]?.endsWith("rollup.ts")) {
  benchRollup({ postgresUrl: process.env.BENCH_ROLLUP_POSTGRES_URL ?? null })
    .then((report) => console.log(report))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
