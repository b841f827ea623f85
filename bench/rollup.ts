/**
 * Roll-ups at fleet scale (issue 16): an hour's backlog at 1,000 tunnels (2,000 ends, a sample
 * every 10 s: 720,000 samples written through the ingest path's own writer, as bench/scale.ts
 * writes them), rolled up by the maintenance job's own rounds; then steady state, one minute of
 * new samples from every end and one round. The roll-ups as they were (bench/rollup-before.ts)
 * and as they are run on copies of the same seeded data folder in the same run, so the figures
 * compare as ratios. `npm run bench -- rollup`, or `npx tsx --require ./scripts/server-only.cjs
 * bench/rollup.ts` alone.
 *
 * Knobs (environment): BENCH_ROLLUP_TUNNELS (1000), BENCH_ROLLUP_STEADY (steady minutes per
 * variant, 3), BENCH_ROLLUP_TRACE=1 (time every statement of the first backlog round and print
 * EXPLAIN (ANALYZE, BUFFERS) of the slowest), BENCH_ROLLUP_TEMPLATE=<folder> (keep the seeded
 * data folder there and reuse it next time: seeding takes minutes), BENCH_ROLLUP_ONLY=before|now.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type SQL } from "drizzle-orm";
import { openDatabase, type Database } from "@/lib/db/client";
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
const MINUTE = 60_000;

type Variant = "before" | "now";
type Seeded = { dir: string; end: number; agents: FleetAgent[]; samples: number };
export type VariantFigures = { variant: Variant; backlogMs: number; rounds: number; steadyMs: number[]; load: number };

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
    const started = performance.now();
    const { agents } = await createFleet(handle.db, TUNNELS, "rollup");
    const end = Math.floor(Date.now() / MINUTE) * MINUTE;
    // Agents side by side: the writer groups them into one statement, as it does in the console.
    const samples = await ingestHistory(handle.db, agents, new Date(end - 60 * MINUTE), new Date(end), 64);
    console.log(`[bench] rollup: seeded ${samples} samples in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const seeded = { dir, end, agents, samples };
    if (meta) fs.writeFileSync(meta, JSON.stringify(seeded));
    return seeded;
  } finally {
    await handle.close();
  }
}

/** Every statement a step runs, timed by its first words; with `explain`, also its plan (in a savepoint, rolled back). */
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
            const started = performance.now();
            const result = await target.execute(query);
            const ms = performance.now() - started;
            log.set(label, [...(log.get(label) ?? []), ms]);
            if (explain && ms >= explain.min && !text.startsWith("analyze")) {
              const plan = await target
                .transaction(async (savepoint) => {
                  const rows = await queryRows<{ "QUERY PLAN": string }>(savepoint, sql`explain (analyze, buffers) ${query}`);
                  throw Object.assign(new Error("rollback"), { plan: rows.map((r) => r["QUERY PLAN"]).join("\n") });
                })
                .catch((error: { plan?: string }) => error.plan ?? String(error));
              explain.plans.push(`-- ${label}: ${ms.toFixed(0)} ms\n${plan}`);
            }
            return result;
          };
        },
      });
      return work(traced);
    });
}

function labelOf(text: string): string {
  if (text.startsWith("analyze")) return text.slice(0, 60);
  if (text.includes("offset")) return "chunkEnd: nth sample by arrival";
  if (text.includes("insert into telemetry_rollups") && text.includes("interval '1 hour'")) return "1h upsert";
  if (text.includes("insert into telemetry_rollups")) return "1m upsert (chunk)";
  if (text.startsWith("set local")) return "set local (chunkEnd's plan)";
  if (text.includes("pg_try_advisory")) return "advisory lock";
  if (text.includes("telemetry_watermarks")) return "watermark";
  if (text.includes("delete from")) return "retention delete";
  return text.slice(0, 60);
}

/** One variant on its own copy of the seeded data: the backlog, then steady minutes. */
async function runVariant(seeded: Seeded, variant: Variant): Promise<VariantFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bridgehead-bench-rollup-${variant}-`));
  fs.cpSync(path.join(seeded.dir, "pglite"), path.join(dir, "pglite"), { recursive: true });
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  try {
    const { db } = handle;
    // Both variants start from the same copy, as the scale benchmark's first round does: the
    // hour of samples just written, never analysed.
    const round = async (now: Date, step: StepRunner) => {
      if (variant === "before") return runMaintenanceRoundBefore(db, { now, step });
      const result = await runMaintenanceRound(db, { now, step });
      if (result.skipped) throw new Error("the round was skipped");
      return result;
    };
    const load = os.loadavg()[0]!;
    const log = new Map<string, number[]>();
    const explain = TRACE ? { min: 200, plans: [] as string[] } : null;
    let rounds = 0;
    const started = performance.now();
    const backlogAt = new Date(seeded.end + 1_000);
    for (; rounds < 1_000; ) {
      const step = tracingSteps(db, log, rounds === 0 ? explain : null);
      const result = await round(backlogAt, step);
      rounds += 1;
      if (result.caughtUp) break;
    }
    const backlogMs = performance.now() - started;
    console.log(`[bench] rollup: ${variant}: backlog of ${seeded.samples} samples in ${(backlogMs / 1000).toFixed(1)} s, ${rounds} round(s), load ${load.toFixed(1)}`);
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
    console.log(`[bench] rollup: ${variant}: steady rounds ${steadyMs.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    for (const [label, times] of steadyLog) console.log(`  ${label}: ${times.length} × median ${median(times).toFixed(0)} ms, total ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
    await checkSame(db, variant);
    return { variant, backlogMs, rounds, steadyMs, load };
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fingerprints = new Map<Variant, string>();
/** The two variants must have written the same roll-ups, or the comparison means nothing. */
async function checkSame(db: Database, variant: Variant) {
  const [row] = await queryRows<{ f: string }>(
    db,
    sql`select count(*) || ':' || sum(samples) || ':' || round(sum(rtt_avg_ms * rtt_samples)::numeric, 3) || ':' || sum(df_probe_failures) as f from telemetry_rollups group by resolution order by resolution`,
  );
  fingerprints.set(variant, row?.f ?? "");
  const other = fingerprints.get(variant === "before" ? "now" : "before");
  if (other !== undefined && other !== row?.f) throw new Error(`the roll-ups differ: before ${fingerprints.get("before")}, now ${fingerprints.get("now")}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchRollup(): Promise<string> {
  const seeded = await seed();
  const figures: VariantFigures[] = [];
  try {
    for (const variant of ["before", "now"] as const) if (!ONLY || ONLY === variant) figures.push(await runVariant(seeded, variant));
  } finally {
    if (!process.env.BENCH_ROLLUP_TEMPLATE) fs.rmSync(seeded.dir, { recursive: true, force: true });
  }
  return renderRollup(seeded, figures);
}

export function renderRollup(seeded: Pick<Seeded, "samples">, figures: VariantFigures[]): string {
  const empty: VariantFigures = { variant: "before", backlogMs: Number.NaN, rounds: 0, steadyMs: [Number.NaN], load: Number.NaN };
  const [before, now] = [figures.find((f) => f.variant === "before") ?? empty, figures.find((f) => f.variant === "now") ?? empty];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, PGlite in a data folder; ` +
      `${TUNNELS.toLocaleString("en")} tunnels, ${seeded.samples.toLocaleString("en")} samples written through the ingest path's writer. Load average at the start of each: before ${before.load.toFixed(1)}, now ${now.load.toFixed(1)}.`,
    "",
    "| PGlite | before | now | before ÷ now | aim |",
    "| --- | ---: | ---: | ---: | --- |",
    `| an hour's backlog, maintenance rounds until caught up (rounds) | ${s(before.backlogMs)} (${before.rounds}) | ${s(now.backlogMs)} (${now.rounds}) | ${(before.backlogMs / now.backlogMs).toFixed(1)}× | ≤ 10 s |`,
    `| steady round: one minute of samples from every end (median of ${before.steadyMs.length}) | ${median(before.steadyMs).toFixed(0)} ms | ${median(now.steadyMs).toFixed(0)} ms | ${(median(before.steadyMs) / median(now.steadyMs)).toFixed(1)}× | |`,
  ].join("\n");
}

if (process.argv[1]?.endsWith("rollup.ts")) {
  benchRollup()
    .then((report) => console.log(report))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
