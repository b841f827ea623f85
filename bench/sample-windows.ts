/**
 * `npm run bench -- sample-windows`: what the warning evaluation's kept windows cost a console,
 * the objects' store as it was (tests/support/sample-windows-before.ts, e79de2c: RuleSample
 * objects, a Date or two each) against the columns (lib/telemetry/evaluation/sample-windows.ts,
 * since c8eb473), in one process on the same rows. PostgreSQL, BENCH_WINDOWS_TUNNELS (2,000) tunnels
 * seeded as bench/noc-stalls.ts seeds them (20 minutes of every end's 10-second samples through
 * the ingest writer). Turns go old, new, new, old (BENCH_WINDOWS_TURNS, 4); in each a new store
 * reads every end's 15-minute window as lib/telemetry/evaluation/inputs.ts asks for it (id,
 * since, 3 paths, samples_seq, late_seq; EVALUATION_BATCH tenants, 200 ends, a call, whose windows
 * are dropped before the next as the evaluation drops a batch's): its CPU;
 * then an update round: one more sample posted to every end (ingestSamples), the read again (the
 * incremental path): its CPU (this process's, not the server's) and wall time; and once more
 * with nothing new (no statement: the store's own work); then:
 * - retained: what a full collection leaves with the store alive minus without it, on V8's heap
 *   and in ArrayBuffers (the columns' typed arrays lie outside the heap V8 marks);
 * - a forced full collection with the store alive, median of 5 (and without it).
 * That sample is deleted after each turn and last_sample_at set back, so every turn reads the
 * same rows; every turn's windows must hash alike, and at the end both stores read the same rows
 * side by side and their windows are compared sample by sample, field by field.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { isDeepStrictEqual } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "@/lib/db/client";
import { EVALUATION_BATCH } from "@/lib/telemetry/evaluate-job";
import { SampleWindows, type WindowRequest } from "@/lib/telemetry/evaluation/sample-windows";
import { ingestSamples } from "@/lib/telemetry/ingest";
import type { RuleSample } from "@/lib/telemetry/rules/types";
import { queryRows, timeParam } from "@/lib/telemetry/sql";
import { DEFAULT_THRESHOLDS } from "@/lib/telemetry/thresholds";
import { SampleWindowsBefore } from "@/tests/support/sample-windows-before";
import type { BenchContext } from "./run";
import { createFleet, freshPostgresDatabase, ingestHistory, sampleOf, SAMPLE_EVERY_MS, type FleetAgent } from "./scale-fleet";

const TUNNELS = Number(process.env.BENCH_WINDOWS_TUNNELS ?? 2_000);
const TURNS = Number(process.env.BENCH_WINDOWS_TURNS ?? 4);
const GCS = 5;
const STORES = { before: SampleWindowsBefore, now: SampleWindows } as const;
type Variant = keyof typeof STORES;
type Store = { read(db: Database, endpoints: readonly WindowRequest[], now: number): Promise<Map<string, RuleSample[]>> };
type Turn = { heapMiB: number; buffersMiB: number; allMiB: number; gcMs: number; bareGcMs: number; storeGcMs: number; wholeCpuMs: number; updateCpuMs: number; updateMs: number; idleCpuMs: number };

const collectGarbage: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
/**
 * After full collections: V8's heap in use and the ArrayBuffers' bytes, in MiB. Twice, with a
 * pause: V8 frees dead ArrayBuffers' memory on a thread of its own after the collection.
 */
const memory = async () => {
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed / 2 ** 20, buffers: arrayBuffers / 2 ** 20 };
};
function fullGcMs(): number {
  const times: number[] = [];
  for (let i = 0; i < GCS; i++) {
    const started = performance.now();
    collectGarbage();
    times.push(performance.now() - started);
  }
  return median(times);
}
/** Every end's request as inputs.ts makes it at `now`, in calls of EVALUATION_BATCH tenants (tenants have two tunnels). */
async function requestsAt(db: Database, now: number): Promise<WindowRequest[][]> {
  const rows = await queryRows<{ id: string; seq: string; late_seq: string }>(
    db,
    sql`select e.id, e.samples_seq as seq, e.late_seq from tunnel_endpoints e join tunnels t on t.id = e.tunnel_id order by t.tenant_id, t.ordinal, e.side`,
  );
  const since = new Date(now - DEFAULT_THRESHOLDS.windowMinutes * 60_000);
  const all = rows.map((e) => ({ id: e.id, since, paths: DEFAULT_THRESHOLDS.openAfterConsecutive, seq: Number(e.seq), lateSeq: Number(e.late_seq) }));
  const per = EVALUATION_BATCH * 4;
  return Array.from({ length: Math.ceil(all.length / per) }, (_, i) => all.slice(i * per, (i + 1) * per));
}

async function readAll(db: Database, store: Store, calls: WindowRequest[][], now: number): Promise<Map<string, RuleSample[]>> {
  const windows = new Map<string, RuleSample[]>();
  for (const call of calls) for (const [id, samples] of await store.read(db, call, now)) windows.set(id, samples);
  return windows;
}

/**
 * Every end's window read through `store`, a call at a time, each call's windows dropped before
 * the next as the evaluation drops a batch's: the calls' CPU in this process (driver, store,
 * garbage; not the server's) and wall time, then (untimed) the windows' hash and counts.
 */
async function timedRead(db: Database, store: Store, calls: WindowRequest[][], now: number) {
  const hash = crypto.createHash("sha256");
  const figures = { cpuMs: 0, ms: 0, kept: { samples: 0, paths: 0 } };
  for (const call of calls) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const windows = await store.read(db, call, now);
    const used = process.cpuUsage(cpu);
    figures.ms += performance.now() - started;
    figures.cpuMs += (used.user + used.system) / 1000;
    for (const [id, samples] of windows) {
      hash.update(id).update(JSON.stringify(samples));
      figures.kept.samples += samples.length;
      figures.kept.paths += samples.filter((s) => s.path).length;
    }
  }
  return { ...figures, hash: hash.digest("hex").slice(0, 16) };
}

/** Every way `now` differs from `before`: by field, with the first few cases. */
function differences(before: Map<string, RuleSample[]>, now: Map<string, RuleSample[]>): string[] {
  const found = new Map<string, string[]>();
  const note = (what: string, example: string) => found.set(what, [...(found.get(what) ?? []), example]);
  for (const id of new Set([...before.keys(), ...now.keys()])) {
    const a = before.get(id) ?? [];
    const b = now.get(id) ?? [];
    if (a.length !== b.length) note("window length", `${id}: ${a.length} before, ${b.length} now`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      for (const key of new Set([...Object.keys(a[i]!), ...Object.keys(b[i]!)]) as Set<keyof RuleSample>) {
        if (!isDeepStrictEqual(a[i]![key], b[i]![key])) note(key, `${id} #${i}: ${JSON.stringify(a[i]![key])} before, ${JSON.stringify(b[i]![key])} now`);
      }
    }
  }
  return [...found].map(([what, cases]) => `${what}: ${cases.length} (${cases.slice(0, 2).join("; ")})`);
}

/** One more sample from every end at `at`, as the fleet's agents post it; `undo` takes it back and sets last_sample_at back. */
async function postOneMore(db: Database, agents: FleetAgent[], at: number) {
  let next = 0;
  const post = async () => {
    while (next < agents.length) {
      const agent = agents[next++]!;
      const result = await ingestSamples(db, agent, [sampleOf(agent, new Date(at))], new Date(at + 1_000));
      if (!result.ok || result.accepted !== 1) throw new Error(`ingest did not store the round's sample: ${JSON.stringify(result)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, post));
  return async () => {
    await db.execute(sql`delete from telemetry_samples where measured_at = ${timeParam(new Date(at))}`);
    await db.execute(sql`update tunnel_endpoints set last_sample_at = ${timeParam(new Date(at - SAMPLE_EVERY_MS))} where last_sample_at = ${timeParam(new Date(at))}`);
  };
}

export async function benchSampleWindows(context: BenchContext): Promise<string> {
  const load = os.loadavg()[0]!;
  const handle = await openDatabase({ kind: "postgres", url: await freshPostgresDatabase(context.postgresUrl, "bench_windows") });
  const { db } = handle;
  try {
    console.log(`[bench] sample-windows: ${TUNNELS} tunnels: seeding…`);
    const { agents } = await createFleet(db, TUNNELS, "windows");
    const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
    const stored = await ingestHistory(db, agents, new Date(end - 20 * 60_000), new Date(end), 8);
    // As the maintenance job keeps them: left to autovacuum, the reads' plans change mid-run.
    await db.execute(sql`analyze telemetry_samples`);
    await db.execute(sql`analyze tunnel_endpoints`);
    // A round 5 s after the newest sample; the update round's sample is the next tick, 10 s on.
    const now = end + 5_000;
    const turns: Record<Variant, Turn[]> = { before: [], now: [] };
    const order: [Variant, Turn][] = [];
    const hashes = new Set<string>();
    let kept = { samples: 0, paths: 0 };
    for (let turn = 0; turn < TURNS; turn++) {
      const variant: Variant = turn % 4 === 0 || turn % 4 === 3 ? "before" : "now";
      console.log(`[bench] sample-windows: turn ${turn + 1} of ${TURNS}, ${variant}`);
      let store: Store | null = new STORES[variant]();
      const whole = await timedRead(db, store, await requestsAt(db, now), now);
      hashes.add(whole.hash);
      kept = whole.kept;
      const undo = await postOneMore(db, agents, end);
      const update = await timedRead(db, store, await requestsAt(db, now + SAMPLE_EVERY_MS), now + SAMPLE_EVERY_MS);
      hashes.add(`update ${update.hash}`);
      // Nothing new since: no statement at all, the store's own work alone.
      const idle = await timedRead(db, store, await requestsAt(db, now + SAMPLE_EVERY_MS), now + SAMPLE_EVERY_MS);
      hashes.add(`update ${idle.hash}`);
      await undo();
      // The store as the update round left it (as many samples as the first read), then gone: nothing else in between.
      const alive = await memory();
      const gcMs = fullGcMs();
      store = null;
      const gone = await memory();
      const bareGcMs = fullGcMs();
      const [heapMiB, buffersMiB] = [alive.heap - gone.heap, alive.buffers - gone.buffers];
      const figures = { wholeCpuMs: whole.cpuMs, updateCpuMs: update.cpuMs, updateMs: update.ms, idleCpuMs: idle.cpuMs };
      turns[variant].push({ heapMiB, buffersMiB, allMiB: heapMiB + buffersMiB, gcMs, bareGcMs, storeGcMs: gcMs - bareGcMs, ...figures });
      order.push([variant, turns[variant].at(-1)!]);
    }
    // Side by side on the same rows, both stores alive: the first read, then the update round's.
    const before = new SampleWindowsBefore();
    const columns = new SampleWindows();
    const first = await requestsAt(db, now);
    const found = differences(await readAll(db, before, first, now), await readAll(db, columns, first, now));
    const undo = await postOneMore(db, agents, end);
    const second = await requestsAt(db, now + SAMPLE_EVERY_MS);
    found.push(...differences(await readAll(db, before, second, now + SAMPLE_EVERY_MS), await readAll(db, columns, second, now + SAMPLE_EVERY_MS)).map((d) => `update round, ${d}`));
    await undo();
    return render({ load, stored, kept, turns, order, hashes: hashes.size, found });
  } finally {
    await handle.close();
  }
}

type Results = { load: number; stored: number; kept: { samples: number; paths: number }; turns: Record<Variant, Turn[]>; order: [Variant, Turn][]; hashes: number; found: string[] };

function render(r: Results): string {
  const cell = (variant: Variant, key: keyof Turn, unit: string, digits: number) => `${median(r.turns[variant].map((t) => t[key])).toFixed(digits)} ${unit}`;
  const ratio = (key: keyof Turn) => `${(median(r.turns.before.map((t) => t[key])) / median(r.turns.now.map((t) => t[key]))).toFixed(2)}×`;
  const row = (label: string, key: keyof Turn, unit: string, digits = 0) => `| ${label} | ${cell("before", key, unit, digits)} | ${cell("now", key, unit, digits)} | ${ratio(key)} |`;
  const turn = ([variant, t]: [Variant, Turn]) =>
    `${variant} ${t.heapMiB.toFixed(1)} MiB, ${t.gcMs.toFixed(0)} / ${t.bareGcMs.toFixed(0)} ms, ${t.updateCpuMs.toFixed(0)} ms, ${t.idleCpuMs.toFixed(0)} ms`;
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, commit ${execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim()}, on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, load average ${r.load.toFixed(1)} at the start (${os.loadavg()[0]!.toFixed(1)} at the end).`,
    "",
    `**PostgreSQL, ${TUNNELS.toLocaleString("en")} tunnels** (${(TUNNELS * 2).toLocaleString("en")} ends), ${r.stored.toLocaleString("en")} samples (20 minutes of every end); each store keeps ${r.kept.samples.toLocaleString("en")} samples (every end's 15 minutes), ${r.kept.paths.toLocaleString("en")} of them with their path. Median of ${r.turns.before.length} turns each, taking turns (old, new, new, old):`,
    "",
    "| kept windows | before (objects, e79de2c) | now (columns) | before ÷ now |",
    "| --- | ---: | ---: | ---: |",
    row("retained on V8's heap (after a full GC, store alive − dropped)", "heapMiB", "MiB", 1),
    row("retained in ArrayBuffers, outside V8's heap", "buffersMiB", "MiB", 1),
    row("retained in all", "allMiB", "MiB", 1),
    row(`a forced full GC with the store alive (median of ${GCS})`, "gcMs", "ms"),
    row("the same without a store (the rest of the process)", "bareGcMs", "ms"),
    row("the store's share (with − without, in each turn)", "storeGcMs", "ms"),
    row("first round, every window read whole: CPU", "wholeCpuMs", "ms"),
    row("update round (one more sample each), incremental read: CPU", "updateCpuMs", "ms"),
    row("the same: wall time", "updateMs", "ms"),
    row("the next round, nothing new (no statement, the store alone): CPU", "idleCpuMs", "ms"),
    "",
    `Each turn in the order run (V8 heap retained; full GC with / without the store; update round CPU; nothing new CPU): ${r.order.map(turn).join("; ")}.`,
    "",
    r.hashes === 2 ? "Every turn read the same windows (one hash for the first read, one for the update round's, both stores)." : `**The turns' windows differ: ${r.hashes} hashes where 2 were expected.**`,
    r.found.length === 0
      ? "Both stores side by side on the same rows: the same windows, sample by sample and field by field (paths included), on the first read and on the update round's."
      : `**Both stores side by side on the same rows differ:** ${r.found.join(" — ")}`,
  ].join("\n");
}
