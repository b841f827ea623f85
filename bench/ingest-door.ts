/**
 * `npm run bench -- ingest-door`: what an agent's post costs the console through Next's route
 * handler against the plain Node fast path in front of Next (lib/server/telemetry-fast-path.ts).
 *
 * Two consoles on the same production build and the same PostgreSQL, one with
 * TELEMETRY_FAST_PATH=off (its posts go through Next's route), both with the event-loop and GC
 * probe (bench/event-loop-probe.mjs). Posts of one sample each, as the fleet sends every 10 s,
 * a fixed number in flight, go to one console at a time, the two in alternation (ABBA…), so the
 * machine's load, which changes minute to minute, weighs on both alike; the figures compared are
 * ratios within the run. Per 1,000 posts: the console's CPU, its minor (scavenge) and major GCs,
 * and its event-loop delay while posting; and the posts a second.
 *
 * Two more doors weigh the connection each post comes on, against the fast path's kept-alive
 * ones: "fast, new TLS" opens a new connection for every post and never resumes a TLS session,
 * as the real agent does (a oneshot Python process behind a systemd timer,
 * lib/gateway/targets/telemetry-agent-script.ts); "fast, resumed" opens a new connection for
 * every post but resumes the session the console gave the last one (what an agent that kept its
 * session between posts would cost). Both go to the fast path's console.
 *
 * Knobs: BENCH_DOOR_POSTS (posts per phase, 2000), BENCH_DOOR_ROUNDS (rounds of one phase per
 * door, 3), BENCH_DOOR_IN_FLIGHT (16).
 */
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import type { TLSSocket } from "node:tls";
import path from "node:path";
import { openDatabase } from "@/lib/db/client";
import { createFleet, cpuSecondsOf, freshPostgresDatabase, request, sampleOf, startConsole, type FleetAgent, type LoopStats, type RunningConsole } from "./scale-fleet";

const POSTS = Number(process.env.BENCH_DOOR_POSTS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_DOOR_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_DOOR_IN_FLIGHT ?? 16);
/** 1,000 agents: each posts a few times per phase, far below its rate limit (20 of burst, 2 a second). */
const TUNNELS = 500;
const WARM_UP_POSTS = 1_000;

/** What the real agent's urllib sends; postMany adds it for an agent that keeps no connection. */
const CLOSE = { connection: "close" };
const closing = new WeakSet<https.Agent>();

type Door = "next" | "fast" | "fast-new" | "fast-resumed";
const DOORS: readonly Door[] = ["next", "fast", "fast-new", "fast-resumed"];
const DOOR_NAMES: Record<Door, string> = { next: "Next's route", fast: "fast path", "fast-new": "fast, new TLS per post", "fast-resumed": "fast, new TCP, TLS resumed" };
type Phase = { door: Door; seconds: number; cpuMs: number; ok: number; refused: number; loop: LoopStats };

export async function benchIngestDoor(context: { postgresUrl: string }): Promise<string> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `node scripts/start.mjs --build-only` first.");
  const loadBefore = os.loadavg();
  const url = await freshPostgresDatabase(context.postgresUrl, "bench_ingest_door");
  const handle = await openDatabase({ kind: "postgres", url });
  const { agents } = await createFleet(handle.db, TUNNELS, "door").finally(() => handle.close());

  const env = { DATABASE_URL: url, SESSION_SECRET: "bench-session-secret-0123456789-abcdefghij", SECRETS_KEY: "bench-secrets-key-0123456789-abcdefghijklmn" };
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-door-")));
  const consoles: Partial<Record<Door, RunningConsole>> = {};
  try {
    consoles.next = await startConsole({ ...env, TELEMETRY_FAST_PATH: "off" }, dirs[0]!, IN_FLIGHT);
    consoles.fast = await startConsole(env, dirs[1]!, IN_FLIGHT);
    const running = consoles as Record<"next" | "fast", RunningConsole>;
    // The fast path's console through agents that keep no connection: each post says
    // `Connection: close`, as urllib does, and the console closes the socket with its answer
    // (without the header Node's agent hands a finished socket to the next queued request). Node's client keeps TLS sessions
    // for resumption by default (maxCachedSessions 100); the real agent's Python process cannot
    // (it starts afresh every 30 s), so the "new TLS" door keeps none.
    const ca = fs.readFileSync(path.join(dirs[1]!, "tls", "self-signed-cert.pem"));
    const once = (maxCachedSessions: number) => {
      const agent = countHandshakes(new https.Agent({ keepAlive: false, ca, maxSockets: IN_FLIGHT, servername: "localhost", maxCachedSessions }));
      closing.add(agent);
      return agent;
    };
    const doors: Record<Door, RunningConsole> = { ...running, "fast-new": { ...running.fast, agent: once(0) }, "fast-resumed": { ...running.fast, agent: once(100) } };
    const poster = newPoster(agents);
    const sameAnswers = await compareAnswers(running, agents);
    for (const door of DOORS) await postMany(doors[door], poster, WARM_UP_POSTS);
    const phases: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts at another door and alternates direction, so no door always follows the same one.
      const order = round % 2 === 0 ? DOORS.slice(round % DOORS.length).concat(DOORS.slice(0, round % DOORS.length)) : [...DOORS].reverse();
      for (const door of order) {
        phases.push(await measurePhase(door, doors[door], poster));
        console.log(`[bench] ingest-door: round ${round + 1}, ${door}: ${summarize(phases.at(-1)!)}`);
      }
    }
    const handshakes = `new TLS door: ${describeHandshakes(doors["fast-new"].agent)}; resumed door: ${describeHandshakes(doors["fast-resumed"].agent)}`;
    return render(phases, sameAnswers, handshakes, loadBefore, os.loadavg());
  } finally {
    for (const c of Object.values(consoles)) await c.stop().catch((error: unknown) => console.error(`[bench] a console did not stop cleanly: ${String(error)}`));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}


const handshakeCounts = new WeakMap<https.Agent, { full: number; resumed: number }>();

/** Counts the agent's connections by their handshake, so the bench shows each door did what it says. */
function countHandshakes(agent: https.Agent): https.Agent {
  const counts = { full: 0, resumed: 0 };
  handshakeCounts.set(agent, counts);
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => TLSSocket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    socket.once("secureConnect", () => (socket.isSessionReused() ? (counts.resumed += 1) : (counts.full += 1)));
    return socket;
  }) as typeof agent.createConnection;
  return agent;
}

function describeHandshakes(agent: https.Agent): string {
  const counts = handshakeCounts.get(agent);
  return counts ? `${counts.full.toLocaleString("en")}; ${counts.resumed.toLocaleString("en")}` : "not counted";
}

/** Each post one new sample of the next agent in turn, a second older than that agent's last. */
function newPoster(agents: FleetAgent[]) {
  const from = Date.now() - 60_000;
  const sent = agents.map(() => 0);
  let next = 0;
  return (): { agent: FleetAgent; body: string } => {
    const i = next++ % agents.length;
    const agent = agents[i]!;
    sent[i]! += 1;
    return { agent, body: JSON.stringify(sampleOf(agent, new Date(from - sent[i]! * 1_000))) };
  };
}

async function postMany(target: RunningConsole, poster: ReturnType<typeof newPoster>, count: number): Promise<{ ok: number; refused: number }> {
  let left = count;
  let ok = 0;
  let refused = 0;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const { agent, body } = poster();
      const answer = await request(target, "POST", "/api/v1/telemetry", { authorization: `Bearer ${agent.token}`, "content-type": "application/json", ...(closing.has(target.agent) ? CLOSE : {}) }, body);
      if (answer.status === 202) ok += 1;
      else refused += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { ok, refused };
}

async function measurePhase(door: Door, target: RunningConsole, poster: ReturnType<typeof newPoster>): Promise<Phase> {
  target.resetLoop();
  // The probe resets on SIGUSR2; give the signal a moment to arrive before the window starts.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const cpuBefore = cpuSecondsOf(target.pid);
  const started = performance.now();
  const { ok, refused } = await postMany(target, poster, POSTS);
  const seconds = (performance.now() - started) / 1_000;
  const cpuMs = (cpuSecondsOf(target.pid) - cpuBefore) * 1_000;
  const ended = Date.now();
  // The probe writes its file every second: wait for a reading taken after the posts.
  let loop = target.readLoop();
  while (loop.at < ended) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    loop = target.readLoop();
  }
  return { door, seconds, cpuMs, ok, refused, loop };
}

/** The same post's answers through both doors, headers and body, bar what differs by nature. */
async function compareAnswers(doors: Record<"next" | "fast", RunningConsole>, agents: FleetAgent[]): Promise<string> {
  const cases: [string, (agent: FleetAgent) => { token: string; body: string }][] = [
    ["202", (agent) => ({ token: agent.token, body: JSON.stringify(sampleOf(agent, new Date(Date.now() - 3_600_000))) })],
    ["401", () => ({ token: `agt_${"x".repeat(43)}`, body: "{}" })],
    ["400", (agent) => ({ token: agent.token, body: "{not json" })],
  ];
  const differences: string[] = [];
  for (const [label, make] of cases) {
    const seen = await Promise.all(
      (["next", "fast"] as const).map(async (door, i) => {
        const { token, body } = make(agents[agents.length - 1 - i]!);
        const answer = await request(doors[door], "POST", "/api/v1/telemetry", { authorization: `Bearer ${token}`, "content-type": "application/json" }, body);
        const { date: _date, "keep-alive": _keepAlive, connection: _connection, "transfer-encoding": _te, "content-length": _length, ...headers } = answer.headers;
        return { status: answer.status, headers, body: answer.body };
      }),
    );
    const [next, fast] = seen as [(typeof seen)[0], (typeof seen)[0]];
    if (next.status !== fast.status) differences.push(`${label}: status ${next.status} vs ${fast.status}`);
    if (next.body !== fast.body) differences.push(`${label}: body ${next.body} vs ${fast.body}`);
    for (const name of new Set([...Object.keys(next.headers), ...Object.keys(fast.headers)])) {
      if (String(next.headers[name]) !== String(fast.headers[name])) differences.push(`${label}: ${name}: ${String(next.headers[name] ?? "(none)")} via Next, ${String(fast.headers[name] ?? "(none)")} via the fast path`);
    }
  }
  return differences.length === 0 ? "identical (status, body and every header but date, connection and length framing)" : differences.join("; ");
}

function summarize(p: Phase): string {
  const per = 1_000 / p.ok;
  const minor = p.loop.gc?.minor ?? { count: 0, totalMs: 0, maxMs: 0 };
  return `${(p.ok / p.seconds).toFixed(0)} posts/s, ${(p.cpuMs * per).toFixed(0)} ms CPU and ${(minor.count * per).toFixed(1)} scavenges (${(minor.totalMs * per).toFixed(0)} ms) per 1,000, loop p99 ${(p.loop.percentilesMs["99"] ?? 0).toFixed(0)} ms max ${p.loop.maxMs.toFixed(0)} ms${p.refused ? `, ${p.refused} refused` : ""}`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function render(phases: Phase[], sameAnswers: string, handshakes: string, loadBefore: number[], loadAfter: number[]): string {
  const of = (door: Door) => phases.filter((p) => p.door === door);
  const per = (p: Phase, value: number) => (value * 1_000) / p.ok;
  const rows: [string, (p: Phase) => number, (n: number) => string][] = [
    ["posts a second", (p) => p.ok / p.seconds, (n) => n.toFixed(0)],
    ["console CPU per 1,000 posts", (p) => per(p, p.cpuMs), (n) => `${n.toFixed(0)} ms`],
    ["minor GCs (scavenges) per 1,000 posts", (p) => per(p, p.loop.gc?.minor?.count ?? 0), (n) => n.toFixed(1)],
    ["minor GC pause per 1,000 posts", (p) => per(p, p.loop.gc?.minor?.totalMs ?? 0), (n) => `${n.toFixed(0)} ms`],
    ["major GCs per 1,000 posts", (p) => per(p, p.loop.gc?.major?.count ?? 0), (n) => n.toFixed(2)],
    ["event-loop delay p99 while posting", (p) => p.loop.percentilesMs["99"] ?? 0, (n) => `${n.toFixed(0)} ms`],
    ["event-loop delay max while posting", (p) => p.loop.maxMs, (n) => `${n.toFixed(0)} ms`],
  ];
  const refused = phases.reduce((sum, p) => sum + p.refused, 0);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const ratio = (a: number, b: number) => (b === 0 ? "—" : `${(a / b).toFixed(2)}×`);
  const cpuPerPost = (door: Door, r: number) => per(of(door)[r]!, of(door)[r]!.cpuMs);
  const byRound = (a: Door, b: Door) => Array.from({ length: ROUNDS }, (_, r) => ratio(cpuPerPost(a, r), cpuPerPost(b, r))).join(", ");
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${cpu}, Node ${process.version}; load average ${loadBefore.map((n) => n.toFixed(1)).join(" / ")} ` +
      `at the start and ${loadAfter.map((n) => n.toFixed(1)).join(" / ")} at the end (1 / 5 / 15 min; the machine is shared, so read the ratios). Two consoles on the production build and one ` +
      `PostgreSQL (loopback, fsync off), ${TUNNELS} tunnels; ${ROUNDS} rounds, each ${POSTS.toLocaleString("en")} posts of one sample through each door in turn, ${IN_FLIGHT} in flight over HTTPS, ` +
      `after ${WARM_UP_POSTS.toLocaleString("en")} to warm each up. The last two doors are the fast path's console reached on a new connection per post: a full TLS handshake ` +
      `each time (as the real agent), or a resumed session. Medians of the rounds; ${refused} posts refused in all.`,
    "",
    `| per door | ${DOORS.map((d) => DOOR_NAMES[d]).join(" | ")} | Next ÷ fast | new TLS ÷ fast | resumed ÷ fast |`,
    `| --- |${DOORS.map(() => " ---: |").join("")} ---: | ---: | ---: |`,
    ...rows.map(([label, pick, fmt]) => {
      const m = Object.fromEntries(DOORS.map((d) => [d, median(of(d).map(pick))])) as Record<Door, number>;
      return `| ${label} | ${DOORS.map((d) => fmt(m[d])).join(" | ")} | ${ratio(m.next, m.fast)} | ${ratio(m["fast-new"], m.fast)} | ${ratio(m["fast-resumed"], m.fast)} |`;
    }),
    "",
    `Per round, CPU per post Next ÷ fast: ${byRound("next", "fast")}; new TLS ÷ fast: ${byRound("fast-new", "fast")}; resumed ÷ fast: ${byRound("fast-resumed", "fast")}.`,
    `TLS handshakes the console made (full; resumed): ${handshakes}.`,
    `The same posts' answers through Next and the fast path: ${sameAnswers}.`,
  ].join("\n");
}
