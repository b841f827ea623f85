/**
 * Fleet scale (issue 16): the console under everything at once, on PGlite at 1,000 tunnels and on
 * PostgreSQL at 10,000 with two console instances.
 *
 * Per database: the fleet is written through the app's own tables and its history through the
 * ingest path's writer; an hour's backlog is rolled up by the maintenance job's own round (timed);
 * warning-evaluation rounds are timed in-process (first round, every tunnel reported, a tenth
 * reported, nothing new); then the consoles start on the production build with an event-loop
 * probe (bench/event-loop-probe.mjs) and run the mixed load: agents posting one sample every
 * 10 s from both ends, the consoles' own evaluation, roll-ups and retention, and a wall reading
 * GET /api/v1/noc past its 5 s sharing window (every read cold). At the end, with the load still
 * on, Chromium loads the wall three times.
 *
 * Knobs (environment): BENCH_SCALE_MINUTES (measured minutes of mixed load, 5),
 * BENCH_SCALE_PG_TUNNELS (10000), BENCH_SCALE_LITE_TUNNELS (1000), BENCH_SCALE_AGENTS (agents posting in each mixed load, 2000:
 * every end of 1,000 tunnels; a 2-core machine cannot drive more and stay measurable), BENCH_SCALE_CONNECTIONS (the agents'
 * connections to each console, at most: 1000), BENCH_CONSOLE_ENV_<n> and BENCH_CONSOLE_NODE_ARGS_<n> (settings and node flags
 * for the n-th console alone: an A/B of two consoles in one run), BENCH_ALLOCATION_DIR (each console samples what it
 * allocates in the measured minutes, garbage included, into <dir>/console-<n>.heapprofile: read it with
 * `node bench/allocation-profile.mjs <file>`; each write, every 30 s, forces a full collection, so
 * that run's GC and event-loop figures are not comparable with others').
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { groupTiles, planWall } from "@/lib/noc/wall-plan";
import type { NocSnapshot } from "@/lib/queries/noc";
import { readWallSparklines } from "@/lib/queries/noc-sparklines";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { runMaintenanceRound } from "@/lib/telemetry/maintenance";
import { sparklines } from "@/lib/telemetry/series";
import { backlogSource, measureIngestCapacity, postmasterPid, prepareBacklogs, type IngestCapacity } from "./scale-ingest";
import { percentile, renderScale } from "./scale-report";
import { connectionsOf, minuteLogger } from "./scale-minutes";
import { firstRenders, NOC_EVERY_MS, VIEWPORT } from "./scale-wall";
import { createFleet, cpuSecondsOf, displayCookie, freshPostgresDatabase, ingestHistory, request, SAMPLE_EVERY_MS, sampleOf, startConsole, type FleetAgent, type LoopStats, type RunningConsole } from "./scale-fleet";

const MINUTES = Number(process.env.BENCH_SCALE_MINUTES ?? 5);
const PG_TUNNELS = Number(process.env.BENCH_SCALE_PG_TUNNELS ?? 10_000);
const LITE_TUNNELS = Number(process.env.BENCH_SCALE_LITE_TUNNELS ?? 1_000);
/** rounds, pglite or postgres: one part alone, while trying things out. */
const ONLY = process.env.BENCH_SCALE_ONLY;
const AGENTS = Number(process.env.BENCH_SCALE_AGENTS ?? 2_000);
const WARM_UP_MS = 60_000;
/**
 * The agents' kept-alive connections to each console, at most: many, so that a post does not wait
 * in the benchmark for another agent's to free a socket (real agents each have their own), and
 * bounded, so that a console falling behind shows as posts waiting here, not as the benchmark
 * opening a connection per agent until it runs out of files.
 */
const AGENT_CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 1_000);
/** How long the ingest-capacity burst runs, at the end of the mixed load. */
const INGEST_SECONDS = Number(process.env.BENCH_SCALE_INGEST_SECONDS ?? 30);
/** Backlogs made before the capacity window: enough for this many samples a second (past it, made in the window). */
const PREPARE_FOR_RATE = 30_000;

export type Rounds = { tunnels: number; database: string; firstMs: number; allMs: number; tenthMs: number; idleMs: number; due: number[] };
export type Mixed = {
  label: string;
  tunnels: number;
  consoles: number;
  agents: number;
  seconds: number;
  posted: number;
  failed: number;
  /** Posts the consoles turned away as busy (503 before their bodies were parsed): their samples come again with the agent's next post. */
  busy: number;
  /** Requests that carried more than one sample: the agent had fallen behind. */
  batched: number;
  ingestMs: number[];
  nocMs: number[];
  nocFailed: number;
  snapshotBytes: number;
  loops: LoopStats[];
  cpuPercent: number[];
  firstRenderMs: number[];
  tilesOnFirstPage: number;
  backlogMs: number | null;
  historySamples: number;
  sparklineReadMs: { before: number; after: number } | null;
  ingest: IngestCapacity;
};

export async function benchScale(context: { postgresUrl: string }): Promise<string> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `node scripts/start.mjs --build-only` first.");
  const loadBefore = os.loadavg()[0]!;
  const rounds: Rounds[] = [];
  const mixed: Mixed[] = [];

  const only = (part: string) => !ONLY || ONLY === part;
  if (only("rounds")) {
    for (const tunnels of [100]) rounds.push(await onFreshDatabase("PGlite", pgliteTarget(), (db) => evaluationRounds(db, tunnels, "PGlite")));
    for (const tunnels of [100, 1_000]) rounds.push(await onFreshDatabase("PostgreSQL", await postgresTarget(context.postgresUrl, `bench_scale_${tunnels}`), (db) => evaluationRounds(db, tunnels, "PostgreSQL")));
  }
  // PGlite, 1,000 tunnels, one console.
  if (only("pglite")) mixed.push(await scenario({ label: "PGlite", target: pgliteTarget(), tunnels: LITE_TUNNELS, consoles: 1, historyMinutes: 60, rounds }));
  // The figures so far, in the log: a later part that fails does not take them with it.
  const report = () => renderScale(rounds, mixed, { loadBefore, minutes: MINUTES, warmUpSeconds: WARM_UP_MS / 1000, ingestSeconds: INGEST_SECONDS });
  console.log(`[bench] scale: figures so far\n${report()}`);
  // PostgreSQL, 10,000 tunnels, two consoles sharing it.
  if (only("postgres")) {
    const server = await postgresTarget(context.postgresUrl, "bench_scale_fleet");
    mixed.push(await scenario({ label: "PostgreSQL", target: server, tunnels: PG_TUNNELS, consoles: 2, historyMinutes: 20, rounds }));
  }

  return report();
}

function pgliteTarget(): DatabaseTarget & { kind: "pglite" } {
  return { kind: "pglite", dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-scale-")), "pglite") };
}

async function postgresTarget(adminUrl: string, name: string): Promise<DatabaseTarget> {
  return { kind: "postgres", url: await freshPostgresDatabase(adminUrl, name) };
}

async function onFreshDatabase<T>(label: string, target: DatabaseTarget, work: (db: Database) => Promise<T>): Promise<T> {
  const handle = await openDatabase(target);
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
    if (target.kind === "pglite" && target.dataDir) fs.rmSync(path.dirname(target.dataDir), { recursive: true, force: true });
    console.log(`[bench] scale: ${label} done`);
  }
}

/**
 * Evaluation rounds over `tunnels` tunnels with 15 minutes of 10-second samples: the first round
 * (everything new), a round after every end reported once more, after a tenth did, and after
 * nothing arrived. Times sit mid-way between samples, so the idle round crosses no deadline.
 */
async function evaluationRounds(db: Database, tunnels: number, database: string, seeded?: { agents: FleetAgent[]; end: number }): Promise<Rounds> {
  const agents = seeded?.agents ?? (await createFleet(db, tunnels, `rounds${tunnels}`)).agents;
  // The rounds happen right after the history ends, whenever the benchmark gets to them.
  const end = seeded?.end ?? Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
  if (!seeded) await ingestHistory(db, agents, new Date(end - 15 * 60_000), new Date(end), database === "PostgreSQL" ? 8 : 1);
  const due: number[] = [];
  const round = async (at: number) => {
    const started = performance.now();
    const result = await runWarningEvaluation(db, { now: new Date(at) });
    if (!result.ran) throw new Error("another evaluation held the lock");
    due.push(result.due);
    return performance.now() - started;
  };
  // Both ends of every tunnel of every `1 / share`th tenant report once more.
  const tenantIds = [...new Set(agents.map((a) => a.tenantId))];
  const report = async (share: number, at: number) => {
    const chosen = new Set(tenantIds.filter((_, i) => i % Math.round(1 / share) === 0));
    for (const agent of agents) if (chosen.has(agent.tenantId)) await ingestSamples(db, agent, [sampleOf(agent, new Date(at))], new Date(at + 1_000));
  };
  // All four rounds fall between two samples of the history's 10-second grid, so none of them
  // sees a sample leave the window: what makes tenants due is only what was reported.
  const firstMs = await round(end + 1_000);
  await report(1, end + 2_000);
  const allMs = await round(end + 3_000);
  await report(0.1, end + 4_000);
  const tenthMs = await round(end + 5_000);
  const idleMs = await round(end + 7_000);
  console.log(`[bench] scale: ${database} ${tunnels} tunnels: rounds ${[firstMs, allMs, tenthMs, idleMs].map((ms) => ms.toFixed(0)).join(" / ")} ms, due ${due.join(" / ")}`);
  return { tunnels, database, firstMs, allMs, tenthMs, idleMs, due };
}

async function scenario(s: { label: string; target: DatabaseTarget; tunnels: number; consoles: number; historyMinutes: number; rounds: Rounds[] }): Promise<Mixed> {
  console.log(`[bench] scale: ${s.label}, ${s.tunnels} tunnels: seeding through ingest…`);
  const handle: DatabaseHandle = await openDatabase(s.target);
  let agents: FleetAgent[];
  let displayToken: string;
  let backlogMs: number | null = null;
  let historySamples = 0;
  let sparklineReadMs: Mixed["sparklineReadMs"] = null;
  try {
    const fleet = await createFleet(handle.db, s.tunnels, s.label === "PGlite" ? "lite" : "pg");
    agents = fleet.agents;
    displayToken = fleet.displayToken;
    const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
    historySamples = await ingestHistory(handle.db, agents, new Date(end - s.historyMinutes * 60_000), new Date(end), s.target.kind === "postgres" ? 8 : 1);
    // The backlog, rolled up by the maintenance job's own rounds.
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) {
      const round = await runMaintenanceRound(handle.db, { now: new Date(end + 1_000) });
      if (round.skipped || round.caughtUp) break;
    }
    backlogMs = performance.now() - started;
    console.log(`[bench] scale: ${s.label}: ${historySamples} samples rolled up in ${(backlogMs / 1000).toFixed(1)} s`);
    s.rounds.push(await evaluationRounds(handle.db, s.tunnels, s.label, { agents, end }));
    // The wall's sparkline read, as it was (the whole hour from the roll-ups) and as it is now.
    const at = new Date(end + 2 * SAMPLE_EVERY_MS);
    const window = { since: new Date(at.getTime() - 3_600_000), now: at, points: 60 };
    await readWallSparklines(handle.db, window);
    let t = performance.now();
    await sparklines(handle.db, window);
    const before = performance.now() - t;
    t = performance.now();
    await readWallSparklines(handle.db, window);
    sparklineReadMs = { before, after: performance.now() - t };
  } finally {
    await handle.close();
  }

  const dataDirs = Array.from({ length: s.consoles }, () => fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-scale-console-")));
  const env: Record<string, string> =
    s.target.kind === "pglite"
      ? { DATA_DIR: path.dirname(s.target.dataDir!) }
      : { DATABASE_URL: s.target.url, SESSION_SECRET: "bench-session-secret-0123456789-abcdefghij", SECRETS_KEY: "bench-secrets-key-0123456789-abcdefghijklmn" };
  const consoles: RunningConsole[] = [];
  try {
    for (const [i, dir] of dataDirs.entries()) {
      // PGlite's data folder is the console's DATA_DIR/pglite: the one the fleet was written to.
      const ownArgs = (process.env[`BENCH_CONSOLE_NODE_ARGS_${i + 1}`] ?? "").split(" ").filter(Boolean);
      // BENCH_CONSOLE_ENV_<n>="NAME=value …": settings for the n-th console alone (an A/B within one run).
      const ownEnv = Object.fromEntries((process.env[`BENCH_CONSOLE_ENV_${i + 1}`] ?? "").split(" ").filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
      consoles.push(await startConsole({ ...env, ...allocationEnv(i + 1), ...ownEnv }, s.target.kind === "pglite" ? path.dirname(s.target.dataDir!) : dir, AGENT_CONNECTIONS, ownArgs));
      console.log(`[bench] scale: ${s.label}: console ${i + 1} up at ${consoles.at(-1)!.origin}`);
    }
    const postgresPid = s.target.kind === "postgres" ? await postmasterPid(s.target.url) : undefined;
    return await mixedLoad({ ...s, postgresPid }, consoles, agents.slice(0, AGENTS), displayToken, { backlogMs, historySamples, sparklineReadMs });
  } finally {
    for (const c of consoles) await c.stop().catch((error: unknown) => console.error(`[bench] a console did not stop cleanly: ${String(error)}`));
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (s.target.kind === "pglite" && s.target.dataDir) fs.rmSync(path.dirname(s.target.dataDir), { recursive: true, force: true });
  }
}

async function mixedLoad(
  s: { label: string; tunnels: number; consoles: number; postgresPid?: number },
  consoles: RunningConsole[],
  agents: FleetAgent[],
  displayToken: string,
  seeded: Pick<Mixed, "backlogMs" | "historySamples" | "sparklineReadMs">,
): Promise<Mixed> {
  // A console just started may still be busy with its first rounds: a few tries.
  // The link signs one screen in, once: no retries (a retry after a slow answer finds it used).
  let cookie = "";
  try {
    cookie = await displayCookie(consoles[0]!, displayToken);
  } catch (error) {
    throw new Error(`${String(error)}\n--- console log ---\n${consoles[0]!.output().slice(-4000)}`);
  }
  const measuring = { on: false };
  const ingestMs: number[] = [];
  const nocMs: number[] = [];
  let posted = 0;
  let failed = 0;
  let busy = 0;
  // Per console, for an A/B of two consoles' settings in one run (BENCH_CONSOLE_ENV_<n>): samples stored, posts turned away, post times.
  const byConsole = consoles.map(() => ({ posted: 0, busy: 0, ms: [] as number[], nocMs: [] as number[] }));
  // Why the agents' posts failed, by answer or error code: printed each minute, as the consoles log nothing for a request that never reached them.
  const failures = new Map<string, number>();
  const noteFailure = (why: string) => {
    failed += 1;
    failures.set(why, (failures.get(why) ?? 0) + 1);
  };
  let nocFailed = 0;
  let snapshotBytes = 0;
  let stopping = false;
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  // Agents: one sample every 10 s each, spread evenly over the interval, each to "its" console.
  // Like the real agent, one request at a time: what it measured while a request was out goes
  // in the next one, as a batch (an overloaded console gets fewer, larger requests, not a pile).
  const startAt = Math.ceil(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
  const next = agents.map((_, i) => startAt + Math.floor((i / agents.length) * SAMPLE_EVERY_MS));
  const queued = agents.map(() => [] as ReturnType<typeof sampleOf>[]);
  const sending = agents.map(() => false);
  let batched = 0;
  const send = (i: number) => {
    const agent = agents[i]!;
    const samples = queued[i]!.splice(0, 200);
    sending[i] = true;
    if (samples.length > 1 && measuring.on) batched += 1;
    track(
      request(consoles[i % consoles.length]!, "POST", "/api/v1/telemetry", { authorization: `Bearer ${agent.token}`, "content-type": "application/json" }, JSON.stringify({ samples }))
        .then((answer) => {
          if (answer.status !== 202) queued[i]!.unshift(...samples);
          if (!measuring.on) return;
          const mine = byConsole[i % consoles.length]!;
          if (answer.status === 202) {
            posted += samples.length;
            ingestMs.push(answer.ms);
            mine.posted += samples.length;
            mine.ms.push(answer.ms);
          } else if (answer.status === 503 && answer.body.includes("The console is busy")) {
            busy += 1;
            mine.busy += 1;
          } else noteFailure(`HTTP ${answer.status}`);
        })
        .catch((error: unknown) => {
          queued[i]!.unshift(...samples);
          if (measuring.on) noteFailure((error as NodeJS.ErrnoException).code ?? String(error).slice(0, 80));
        })
        .finally(() => (sending[i] = false)),
    );
  };
  const agentsLoop = (async () => {
    while (!stopping) {
      const now = Date.now();
      for (let i = 0; i < agents.length; i++) {
        if (next[i]! > now) continue;
        queued[i]!.push(sampleOf(agents[i]!, new Date(next[i]!)));
        next[i]! += SAMPLE_EVERY_MS;
        if (!sending[i]) send(i);
      }
      await sleep(50);
    }
  })();
  // The wall: a read of the snapshot every 5.5 s, past the 5 s window in which reads share one,
  // on its own connection (a screen does not queue behind the agents' posts).
  const wallLoop = (async () => {
    for (let k = 0; !stopping; k++) {
      const target = consoles[k % consoles.length]!;
      try {
        const answer = await request(target, "GET", "/api/v1/noc", { cookie, accept: "application/json" }, undefined, target.wall);
        if (measuring.on) {
          if (answer.status === 200) {
            nocMs.push(answer.ms);
            byConsole[k % consoles.length]!.nocMs.push(answer.ms);
            snapshotBytes = Buffer.byteLength(answer.body);
          } else nocFailed += 1;
        }
      } catch {
        if (measuring.on) nocFailed += 1;
      }
      await sleep(NOC_EVERY_MS);
    }
  })();

  console.log(`[bench] scale: ${s.label}: ${agents.length} agents posting; warming up for ${WARM_UP_MS / 1000} s…`);
  for (let waited = 0; waited < WARM_UP_MS; waited += 15_000) {
    await sleep(15_000);
    console.log(`[bench]   warming up: agents' connections ${consoles.map(connectionsOf).join(" / ")}`);
  }
  for (const c of consoles) c.resetLoop();
  const cpuBefore = consoles.map((c) => cpuSecondsOf(c.pid));
  const started = performance.now();
  measuring.on = true;
  console.log(`[bench] scale: ${s.label}: measuring for ${MINUTES} min…`);
  const minuteLog = minuteLogger(consoles, cpuBefore);
  for (let minute = 1; minute <= MINUTES; minute++) {
    await sleep(60_000);
    const loops = consoles.map((c) => c.readLoop());
    minuteLog(minute, loops);
    if (consoles.length > 1) {
      console.log(`[bench]   by console: ${byConsole.map((c, n) => `${n + 1}: ${c.posted} stored, ${c.busy} turned away, post p50/p90 ${percentile(c.ms, 0.5).toFixed(0)}/${percentile(c.ms, 0.9).toFixed(0)} ms, noc p90 ${percentile(c.nocMs, 0.9).toFixed(0)} ms`).join("; ")}`);
    }
    // The first minute with failures: what the consoles said about them.
    if (minute === 1 && (failed > 0 || nocFailed > 0)) for (const c of consoles) console.log(`[bench]   --- console log (tail) ---\n${c.output().slice(-3000)}`);
    console.log(
      `[bench]   minute ${minute}: ${posted} posted, ${busy} turned away busy, ${failed} failed${failures.size ? ` (${[...failures].map(([why, n]) => `${why} ×${n}`).join(", ")})` : ""}, ${batched} batches; noc p90 ${percentile(nocMs, 0.9).toFixed(0)} ms; ` +
        `loop p99 ${loops.map((l) => (l.percentilesMs["99"] ?? l.maxMs).toFixed(0)).join("/")} ms, max ${loops.map((l) => l.maxMs.toFixed(0)).join("/")} ms; ` +
        `gc ${loops.map((l) => Object.entries(l.gc ?? {}).map(([kind, g]) => `${kind} ${g.count}× ${g.totalMs.toFixed(0)} ms (longest ${g.maxMs.toFixed(0)})`).join(", ")).join(" / ")}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const loops = consoles.map((c) => c.readLoop());
  // For bench/cpu-profile.mjs --stalls: the stalls of each console, to find in its profile.
  if (process.env.BENCH_STALLS_FILE) fs.writeFileSync(process.env.BENCH_STALLS_FILE, JSON.stringify(loops.map((l, i) => ({ console: i + 1, pid: consoles[i]!.pid, stalls: l.stalls ?? [] })), null, 1));
  const cpuPercent = consoles.map((c, i) => ((cpuSecondsOf(c.pid) - cpuBefore[i]!) / seconds) * 100);
  measuring.on = false;

  // The wall's first render, with the load still on: navigation → every tile of its first page.
  const snapshot = JSON.parse((await request(consoles[0]!, "GET", "/api/v1/noc", { cookie, accept: "application/json" }, undefined, consoles[0]!.wall)).body) as NocSnapshot;
  // The tiles the wall draws on its first page (problems first; healthy ones that do not fit are counted, not drawn).
  const groups = groupTiles(snapshot.tiles);
  const plan = planWall({ ...VIEWPORT, problems: groups.problems.length, healthy: groups.healthy.length, rotate: false, page: 0 });
  const tilesOnFirstPage = plan.problems.end - plan.problems.start + plan.healthy.end - plan.healthy.start;
  const firstRenderMs = await firstRenders(consoles[0]!, cookie, tilesOnFirstPage);
  // Then the ingest capacity, the rest of the load still on.
  // The backlogs' bodies are made first, outside the window (bench/scale-ingest.ts): made in it,
  // they took the benchmark's thread a fifth of a core at 20,000 samples a second.
  const source = backlogSource(agents);
  const prepared = prepareBacklogs(source, INGEST_SECONDS * PREPARE_FOR_RATE);
  console.log(`[bench] scale: ${s.label}: ingest capacity for ${INGEST_SECONDS} s…`);
  const ingest = await measureIngestCapacity(consoles, agents, INGEST_SECONDS, { source, prepared, postgresPid: s.postgresPid });
  console.log(`[bench] scale: ${s.label}: ${(ingest.accepted / ingest.seconds).toFixed(0)} samples/s accepted (${ingest.refused} refused, ${ingest.failed} failed)`);

  stopping = true;
  await Promise.all([agentsLoop, wallLoop]);
  await Promise.allSettled([...pending]);
  return {
    label: s.label,
    tunnels: s.tunnels,
    consoles: s.consoles,
    agents: agents.length,
    seconds,
    posted,
    failed,
    busy,
    batched,
    ingestMs,
    nocMs,
    nocFailed,
    snapshotBytes,
    loops,
    cpuPercent,
    firstRenderMs,
    tilesOnFirstPage,
    ingest,
    ...seeded,
  };
}


/**
 * BENCH_ALLOCATION_DIR: the n-th console samples what it allocates over the measured minutes
 * (bench/event-loop-probe.mjs) into <dir>/console-<n>.heapprofile, for bench/allocation-profile.mjs.
 */
function allocationEnv(n: number): Record<string, string> {
  const dir = process.env.BENCH_ALLOCATION_DIR;
  if (!dir) return {};
  fs.mkdirSync(dir, { recursive: true });
  return { BENCH_ALLOCATION_FILE: path.resolve(dir, `console-${n}.heapprofile`), BENCH_ALLOCATION_SECONDS: String(MINUTES * 60) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
