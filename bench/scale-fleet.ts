/**
 * The fleet the scale benchmark runs against: tenants with two tunnels each, every end with its
 * own agent token, history written through the ingest path's own writer (`ingestSamples`), a NOC
 * display to read the wall as; the console as `npm start` runs it with the event-loop probe
 * loaded; and agents that post one sample every 10 s from both ends over HTTPS.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import pg from "pg";
import type { AgentPrincipal } from "@/lib/auth/agent";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { nocDisplays, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { sampleFor, type Scenario } from "@/lib/fleet/scenarios";
import { seedFromId } from "@/lib/fleet/simulator";
import { ingestSamples } from "@/lib/telemetry/ingest";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { freePort } from "@/tests/support/postgres-server";
import { fleetTenant, insertPrivateCloud } from "@/tests/support/fleet-rows";
import { startConsole as startTestConsole } from "@/tests/support/console-server";

export type FleetAgent = AgentPrincipal & { token: string; seed: number; scenario: Scenario };
export type Fleet = { agents: FleetAgent[]; displayToken: string };

const FACTS = { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.124.8.10" };
/** One tunnel in twenty misbehaves as the demo's do, so the rules open and resolve warnings. */
const TROUBLE: Scenario[] = ["latency-creep", "down", "flapping", "mtu-black-hole", "broadcast-storm"];
export const SAMPLE_EVERY_MS = 10_000;

export function sampleOf(agent: FleetAgent, at: Date): TelemetrySample {
  return sampleFor(agent.scenario, { side: agent.side, tick: Math.floor(at.getTime() / SAMPLE_EVERY_MS), at, seed: agent.seed, tunnel: FACTS });
}

/** A new, empty database `name` on the benchmark's PostgreSQL (an older one of that name dropped first); its URL. */
export async function freshPostgresDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/[^/]+$/, `/${name}`);
}

/** `tunnelCount` tunnels (two per tenant), their agents' tokens, and a NOC display. */
export async function createFleet(db: Database, tunnelCount: number, tag: string): Promise<Fleet> {
  const cloud = await insertPrivateCloud(db, tag, { networkBlock: "10.124.0.0/22" });
  const agents: FleetAgent[] = [];
  const tenantCount = Math.ceil(tunnelCount / 2);
  for (let first = 0; first < tenantCount; first += 250) {
    const n = Math.min(250, tenantCount - first);
    const tenantRows = await db
      .insert(tenants)
      .values(
        Array.from({ length: n }, (_, i) =>
          fleetTenant(cloud.id, first + i, { slug: `${tag}-${String(first + i).padStart(5, "0")}`, displayName: `${tag} ${first + i}`, sourceGatewayUnderlayIp: FACTS.sourceUnderlayIp }),
        ),
      )
      .returning({ id: tenants.id });
    const tunnelRows = await db
      .insert(tunnels)
      .values(
        tenantRows.flatMap((t, i) => ((first + i) * 2 + 1 < tunnelCount ? [1, 2] : [1]).map((ordinal) => ({ tenantId: t.id, ordinal, name: ordinal === 1 ? "primary" : "secondary" }))),
      )
      .returning({ id: tunnels.id, tenantId: tunnels.tenantId, ordinal: tunnels.ordinal });
    const ends = tunnelRows.flatMap((t) => (["source", "avs"] as const).map((side) => ({ tunnel: t, side, token: newBearerToken("agt") })));
    const endpointRows = await db
      .insert(tunnelEndpoints)
      .values(ends.map((e) => ({ tunnelId: e.tunnel.id, side: e.side, hostname: `${e.side}-${e.tunnel.ordinal}`, underlayIp: FACTS.sourceUnderlayIp, agentTokenHash: hashToken(e.token) })))
      .returning({ id: tunnelEndpoints.id, tunnelId: tunnelEndpoints.tunnelId, side: tunnelEndpoints.side });
    for (const row of endpointRows) {
      const end = ends.find((e) => e.tunnel.id === row.tunnelId && e.side === row.side)!;
      const seed = seedFromId(row.tunnelId);
      const scenario = seed % 20 === 0 ? TROUBLE[(seed >>> 5) % TROUBLE.length]! : "healthy";
      agents.push({ endpointId: row.id, tunnelId: row.tunnelId, tenantId: end.tunnel.tenantId, side: row.side, tokenUsed: "current", tokenHash: hashToken(end.token), token: end.token, seed, scenario });
    }
  }
  const displayToken = newBearerToken("noc");
  // A link works once and a row made without issuing one counts as used: this one is fresh.
  await db.insert(nocDisplays).values({ name: `bench ${tag}`, tokenHash: hashToken(displayToken), createdBy: "bench", linkUsedAt: null });
  return { agents, displayToken };
}

/**
 * History through the ingest path: every agent's samples every 10 s from `from` to `to`, sent
 * the way an agent that batches five minutes at a time would have sent them (each batch stamped
 * received a second after its newest sample, agents a millisecond apart), `parallel` agents at
 * a time (PostgreSQL takes them concurrently). Returns how many were stored.
 */
export async function ingestHistory(db: Database, agents: FleetAgent[], from: Date, to: Date, parallel = 1): Promise<number> {
  let stored = 0;
  const batchMs = 5 * 60_000;
  for (let batchStart = Math.ceil(from.getTime() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS; batchStart < to.getTime(); batchStart += batchMs) {
    const batchEnd = Math.min(to.getTime(), batchStart + batchMs);
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < agents.length) {
          const index = next++;
          const agent = agents[index]!;
          const samples: TelemetrySample[] = [];
          for (let at = batchStart; at < batchEnd; at += SAMPLE_EVERY_MS) samples.push(sampleOf(agent, new Date(at)));
          const receivedAt = new Date(batchEnd - SAMPLE_EVERY_MS + 1_000 + (index % 1_000));
          const result = await ingestSamples(db, agent, samples, receivedAt);
          if (!result.ok) throw new Error(`ingest refused the history: ${JSON.stringify(result.fields).slice(0, 300)}`);
          stored += result.accepted;
        }
      }),
    );
  }
  return stored;
}

export type RunningConsole = {
  origin: string;
  /** The agents' connections: kept alive, shared by the agents' posts in turn. */
  agent: https.Agent;
  /** The wall's own connection: a screen is a client of its own, not one more of the agents' posts in their queue. */
  wall: https.Agent;
  pid: number;
  loopFile: string;
  /** Starts the event-loop histogram afresh. */
  resetLoop(): void;
  readLoop(): LoopStats;
  output(): string;
  stop(): Promise<void>;
};

export type LoopStats = {
  since: number;
  at: number;
  count: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  percentilesMs: Record<string, number>;
  /** The garbage collector's pauses by kind (minor, major, incremental, weakcb) over the same window. */
  gc?: Record<string, { count: number; totalMs: number; maxMs: number }>;
  /** Every stall over BENCH_STALL_MS (150) in the window: when it ended, how long, the GC pauses inside it, the load average then. */
  stalls?: Stall[];
  /** The console's main thread over the window, from the kernel's scheduler: on a CPU, and runnable but waiting for one (null where not kept). */
  mainThread?: { ranMs: number; waitedMs: number } | null;
  /** The probe's stall threshold (BENCH_STALL_MS, 150 by default). */
  stallMs?: number;
};

export type Stall = {
  at: string;
  endMonoUs: number;
  ms: number;
  load1: number;
  /**
   * Over `windowMs` (the stall and the probe's tick before it): the main thread on a CPU, runnable
   * but waiting for one, and neither (asleep); null where the kernel keeps no such figures.
   */
  windowMs?: number;
  ranMs?: number | null;
  waitedMs?: number | null;
  sleptMs?: number | null;
  gc: { count: number; ms: number; longest: string[] } | null;
};

/**
 * The console (tests/support/console-server.ts), signing in with Entra (so no demo tenants or fleet
 * of its own), with the event-loop probe loaded. `maxSockets` caps the agents' connections to it:
 * a number for a benchmark that keeps a fixed number of requests in flight, Infinity for agents
 * that each post when their sample is due, as real ones on their own machines do. Capped, a
 * post would wait in the benchmark for another agent's post to free a socket, and that wait
 * would be counted as the console's.
 */
export async function startConsole(env: Record<string, string>, dataDir: string, maxSockets: number, extraNodeArgs: string[] = []): Promise<RunningConsole> {
  const port = await freePort();
  const loopFile = path.join(dataDir, "event-loop.json");
  const server = await startTestConsole(
    {
      ...env,
      PUBLIC_URL: `https://localhost:${port}`,
      ENTRA_TENANT_ID: "00000000-0000-4000-8000-00000000be0c",
      ENTRA_CLIENT_ID: "00000000-0000-4000-8000-00000000be0d",
      BENCH_EVENT_LOOP_FILE: loopFile,
      NEXT_TELEMETRY_DISABLED: "1",
    },
    {
      dataDir,
      port,
      // e.g. BENCH_CONSOLE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (then: node bench/cpu-profile.mjs <file>).
      // BENCH_CONSOLE_NODE_ARGS_<n> adds flags to the n-th console alone (an A/B within one run).
      nodeArgs: ["--import", "./bench/event-loop-probe.mjs", ...(process.env.BENCH_CONSOLE_NODE_ARGS ?? "").split(" ").filter(Boolean), ...extraNodeArgs],
      startTimeoutMs: 300_000,
      // Kept beside the data: the first place to look when a figure is odd or a console fails.
      log: fs.createWriteStream(path.join(dataDir, "console.log")),
    },
  );
  // Free sockets kept past the default 256: uncapped, the agents' posts may hold more than that
  // open at a peak, and each one closed would cost the next post a new TLS handshake.
  const agent = new https.Agent({ keepAlive: true, ca: server.ca, maxSockets, maxFreeSockets: Math.min(maxSockets, 4_096), servername: "localhost" });
  const wall = new https.Agent({ keepAlive: true, ca: server.ca, maxSockets: 1, servername: "localhost" });
  return {
    origin: `https://127.0.0.1:${port}`,
    agent,
    wall,
    pid: server.process.pid!,
    loopFile,
    resetLoop: () => server.process.kill("SIGUSR2"),
    readLoop: () => JSON.parse(fs.readFileSync(loopFile, "utf8")) as LoopStats,
    output: server.output,
    async stop() {
      agent.destroy();
      wall.destroy();
      const code = await server.stop();
      if (code !== 0) throw new Error(`console exited with ${code}:\n${server.output().slice(-2000)}`);
    },
  };
}

export type Answer = { status: number; body: string; ms: number; headers: Record<string, string | string[] | undefined> };

/**
 * One request on one of the console's kept-alive clients (the agents', unless `client` says
 * otherwise); a socket the server closed as it went out is retried once.
 */
export async function request(target: RunningConsole, method: "GET" | "POST", pathname: string, headers: Record<string, string>, body?: string | Buffer, client: https.Agent = target.agent): Promise<Answer> {
  const once = () =>
    new Promise<Answer>((resolve, reject) => {
      const started = performance.now();
      const req = https.request(
        `${target.origin}${pathname}`,
        { method, agent: client, headers: { ...headers, host: new URL(target.origin.replace("127.0.0.1", "localhost")).host, ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started, headers: response.headers }));
          response.on("error", reject);
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => reject(Object.assign(error, { stale: req.reusedSocket && error.code === "ECONNRESET" })));
      req.end(body);
    });
  try {
    return await once();
  } catch (error) {
    if ((error as { stale?: boolean }).stale) return once();
    throw error;
  }
}

/** The wall's session cookie, from the display token, as a screen gets it. */
export async function displayCookie(target: RunningConsole, token: string): Promise<string> {
  // A browser's POST carries the console's own origin; the session route refuses any other.
  const origin = target.origin.replace("127.0.0.1", "localhost");
  const answer = await request(target, "POST", "/api/noc/session", { "content-type": "application/json", origin }, JSON.stringify({ token }), target.wall);
  if (answer.status !== 200) throw new Error(`the display did not connect (${answer.status}): ${answer.body}`);
  const cookies = [answer.headers["set-cookie"] ?? []].flat();
  return cookies.map((c) => c.split(";")[0]).join("; ");
}

/** User + system CPU of a process so far, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
