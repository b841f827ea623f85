/**
 * Telemetry ingest on PGlite: (a) sustained samples per second through the real console's HTTP
 * API, agents posting batches concurrently within the rate limit; (b) a raw batched insert of
 * the same rows into the same database, in-process, and the same rows through `ingestSamples`
 * in-process; (c) the cost per sample as the fleet grows from 10 to 1,000 tunnels, the total
 * number of samples kept the same.
 *
 * The HTTP figures run the route as last built into .next; the in-process `ingestSamples`
 * figure runs lib/telemetry/ingest.ts as it is now, so a change there shows at once in that
 * column and in the HTTP one after the next build.
 *
 * The console runs as `npm start` runs it (server.ts on the production build) on a PGlite data
 * folder the benchmark prepared beforehand: PGlite is one process's, so the tunnels and tokens
 * are written before the console opens it, and the raw inserts after it has closed it. It signs
 * in with Entra (never exercised here) so that it neither seeds demo tenants nor runs a demo
 * fleet of its own: the benchmark's agents are the only load.
 */
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import { openDatabase } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { sampleFor } from "@/lib/fleet/scenarios";
import { seedFromId } from "@/lib/fleet/simulator";
import { ingestSamples } from "@/lib/telemetry/ingest";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { startConsole } from "@/tests/support/console-server";
import { fleetTenant, insertPrivateCloud } from "@/tests/support/fleet-rows";

const BATCH = 200;
/** Samples per fleet size: at 1,000 tunnels, one batch from each of 1,000 of the 2,000 agents. */
const TOTAL = Number(process.env.BENCH_INGEST_TOTAL ?? 200_000);
const FLEETS = [10, 100, 1000];
/** Requests in flight at once: a real fleet's agents are all connected, but posting spread out. */
const CONCURRENCY = 24;
/** The API allows 20 requests of burst and 2 a second per agent; stay just under. */
const AGENT_BURST = 20;
const AGENT_PER_SECOND = 1.95;
const SAMPLE_SPACING_MS = 10_000;

type BenchAgent = AgentPrincipal & { token: string; seed: number };

export type IngestRun = {
  tunnels: number;
  samples: number;
  httpSeconds: number;
  httpPerSecond: number;
  /** CPU the console process spent, per sample stored. */
  consoleCpuMicros: number;
  rateLimited: number;
  rawPerSecond: number;
  /** lib/telemetry/ingest.ts as it is in the source tree, called in-process: the HTTP figures run the build in .next. */
  inProcessPerSecond: number;
};

export async function benchIngest(): Promise<string> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `node scripts/start.mjs --build-only` first.");
  const loadBefore = os.loadavg()[0]!;
  const runs: IngestRun[] = [];
  for (const count of FLEETS) {
    console.log(`[bench] ingest: ${count} tunnels, ${TOTAL} samples through HTTP, then raw…`);
    runs.push(await runFleet(count));
    const run = runs.at(-1)!;
    console.log(`[bench]   HTTP ${run.httpPerSecond.toFixed(0)}/s (${run.rateLimited} × 429), raw ${run.rawPerSecond.toFixed(0)}/s, in-process ${run.inProcessPerSecond.toFixed(0)}/s`);
  }
  return renderIngest(runs, loadBefore);
}

async function runFleet(tunnelCount: number): Promise<IngestRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-ingest-"));
  try {
    const agents = await prepareFleet(dataDir, tunnelCount);
    const batchesPerAgent = Math.ceil(TOTAL / BATCH / agents.length);
    // Request r is the agent r % agents' (r / agents)th batch: every agent posts, or as many as there are requests.
    const requests = Math.ceil(TOTAL / BATCH);
    const started = Date.now() - 6 * 24 * 3600 * 1000;
    const batchOf = (agent: BenchAgent, k: number): TelemetrySample[] =>
      Array.from({ length: BATCH }, (_, i) => {
        const tick = k * BATCH + i;
        return sampleFor("healthy", {
          side: agent.side,
          tick,
          seed: agent.seed,
          at: new Date(started + tick * SAMPLE_SPACING_MS),
          tunnel: { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.120.8.10" },
        });
      });
    // Bodies are made before the clock starts: the agents' JSON is not the console's cost.
    const bodies = agents.map((agent, index) =>
      Array.from({ length: batchesPerAgent }, (_, k) => k * agents.length + index)
        .filter((r) => r < requests)
        .map((r) => JSON.stringify({ samples: batchOf(agent, Math.floor(r / agents.length)) })),
    );

    const console_ = await startConsoleOn(dataDir);
    let http: { seconds: number; accepted: number; rateLimited: number; cpuSeconds: number };
    try {
      // One request first, so loading the route's code is not counted.
      const warm = JSON.stringify({ samples: [{ measuredAt: new Date(started - 60_000).toISOString(), rttMs: 10 }] });
      const warmed = await post(console_, agents[0]!.token, warm);
      if (warmed.status !== 202) throw new Error(`warm-up request answered ${warmed.status}: ${warmed.body}`);
      http = await postAll(console_, agents, bodies);
    } finally {
      await console_.stop();
    }
    const samples = requests * BATCH;
    if (http.accepted !== samples) throw new Error(`the console accepted ${http.accepted} of ${samples} samples`);

    const { raw, inProcess } = await insertInProcess(dataDir, agents, bodies);
    return {
      tunnels: tunnelCount,
      samples,
      httpSeconds: http.seconds,
      httpPerSecond: samples / http.seconds,
      consoleCpuMicros: (http.cpuSeconds * 1e6) / samples,
      rateLimited: http.rateLimited,
      rawPerSecond: samples / raw,
      inProcessPerSecond: samples / inProcess,
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One tenant per tunnel, both ends with an agent token, written before the console starts. */
async function prepareFleet(dataDir: string, tunnelCount: number): Promise<BenchAgent[]> {
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  try {
    const { db } = handle;
    const cloud = await insertPrivateCloud(db, "bench");
    const agents: BenchAgent[] = [];
    for (let first = 0; first < tunnelCount; first += 250) {
      const n = Math.min(250, tunnelCount - first);
      const tenantRows = await db
        .insert(tenants)
        .values(
          Array.from({ length: n }, (_, i) => fleetTenant(cloud.id, first + i, { slug: `bench-${first + i}`, displayName: `Bench ${first + i}`, sourceEnvironment: "other" })),
        )
        .returning({ id: tenants.id });
      const tunnelRows = await db
        .insert(tunnels)
        .values(tenantRows.map((t) => ({ tenantId: t.id, ordinal: 1, name: "primary", status: "operational" as const })))
        .returning({ id: tunnels.id });
      const ends = tunnelRows.flatMap((t) =>
        (["source", "avs"] as const).map((side) => ({ tunnelId: t.id, side, token: newBearerToken("agt") })),
      );
      const endpointRows = await db
        .insert(tunnelEndpoints)
        .values(ends.map((e) => ({ tunnelId: e.tunnelId, side: e.side, hostname: `bench-${e.side}`, underlayIp: "198.51.100.10", agentTokenHash: hashToken(e.token) })))
        .returning({ id: tunnelEndpoints.id, tunnelId: tunnelEndpoints.tunnelId, side: tunnelEndpoints.side });
      const tenantOf = new Map(tunnelRows.map((t, i) => [t.id, tenantRows[i]!.id]));
      for (const row of endpointRows) {
        const end = ends.find((e) => e.tunnelId === row.tunnelId && e.side === row.side)!;
        agents.push({ endpointId: row.id, tunnelId: row.tunnelId, tenantId: tenantOf.get(row.tunnelId)!, side: row.side, tokenUsed: "current", tokenHash: hashToken(end.token), token: end.token, seed: seedFromId(row.tunnelId) });
      }
    }
    return agents;
  } finally {
    await handle.close();
  }
}

type RunningConsole = { url: string; agent: https.Agent; pid: number; stop(): Promise<void> };

/** The console (tests/support/console-server.ts) on the prepared data folder, with a kept-alive agent for the posts. */
async function startConsoleOn(dataDir: string): Promise<RunningConsole> {
  // e.g. BENCH_CONSOLE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the console spends its time.
  const nodeArgs = (process.env.BENCH_CONSOLE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = await startConsole(
    { ENTRA_TENANT_ID: "00000000-0000-4000-8000-00000000be0c", ENTRA_CLIENT_ID: "00000000-0000-4000-8000-00000000be0d" },
    { dataDir, nodeArgs },
  );
  const agent = new https.Agent({ keepAlive: true, ca: server.ca, maxSockets: CONCURRENCY });
  return {
    url: `${server.url}/api/v1/telemetry`,
    agent,
    pid: server.process.pid!,
    async stop() {
      agent.destroy();
      const code = await server.stop();
      if (code !== 0) throw new Error(`console exited with ${code}:\n${server.output().slice(-2000)}`);
    },
  };
}

type Posted = { status: number; body: string; retryAfter?: string; retried?: boolean };

/**
 * One POST. A kept-alive socket the server closed just as the request went out fails with
 * ECONNRESET; as Node's documentation advises, such a request is sent again (the API is
 * idempotent: a batch that did arrive the first time comes back as duplicates). The retry may
 * draw another idle socket the server has closed too (a loaded machine lets several time out at
 * once); each failure discards its socket, so at most the pool's size of retries lead to a new one.
 */
async function post(target: RunningConsole, token: string, body: string): Promise<Posted> {
  for (let attempt = 0; ; attempt++) {
    try {
      const posted = await postOnce(target, token, body);
      return attempt === 0 ? posted : { ...posted, retried: true };
    } catch (error) {
      if (!(error instanceof StaleSocketError) || attempt > CONCURRENCY) throw error;
    }
  }
}

class StaleSocketError extends Error {}

function postOnce(target: RunningConsole, token: string, body: string) {
  return new Promise<Posted>((resolve, reject) => {
    const request = https.request(
      target.url,
      { method: "POST", agent: target.agent, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text, retryAfter: response.headers["retry-after"] as string | undefined }));
        response.on("error", reject);
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      reject(request.reusedSocket && error.code === "ECONNRESET" ? new StaleSocketError(error.message) : error),
    );
    request.end(body);
  });
}

/** Every agent posts its batches, paced by its own token bucket, at most CONCURRENCY at once. */
async function postAll(target: RunningConsole, agents: BenchAgent[], bodies: string[][]) {
  let accepted = 0;
  let rateLimited = 0;
  let slots = CONCURRENCY;
  const waiting: (() => void)[] = [];
  const acquire = () => (slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const cpuBefore = cpuSecondsOf(target.pid);
  const startedAt = performance.now();
  await Promise.all(
    agents.map(async (agent, index) => {
      let tokens = AGENT_BURST;
      let refilledAt = performance.now();
      for (const body of bodies[index]!) {
        // Once a request has been sent again, this batch may already be stored: its duplicates count as accepted.
        let resent = false;
        for (;;) {
          const t = performance.now();
          tokens = Math.min(AGENT_BURST, tokens + ((t - refilledAt) / 1000) * AGENT_PER_SECOND);
          refilledAt = t;
          if (tokens < 1) {
            await sleep(((1 - tokens) / AGENT_PER_SECOND) * 1000);
            continue;
          }
          tokens -= 1;
          await acquire();
          let response;
          try {
            response = await post(target, agent.token, body);
          } finally {
            release();
          }
          resent ||= response.retried === true;
          if (response.status === 202) {
            const counts = JSON.parse(response.body) as { accepted: number; duplicates: number };
            accepted += resent ? counts.accepted + counts.duplicates : counts.accepted;
            break;
          }
          if (response.status !== 429) throw new Error(`the console answered ${response.status}: ${response.body}`);
          rateLimited++;
          await sleep(Number(response.retryAfter ?? 1) * 1000);
        }
      }
    }),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  return { seconds, accepted, rateLimited, cpuSeconds: cpuSecondsOf(target.pid) - cpuBefore };
}

/** User + system CPU of a process so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "(comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The same rows, in batches of the same size, into the same (emptied) table, in-process: first as
 * a plain drizzle insert, then through ingestSamples as the source tree has it. Only the database
 * calls are timed.
 */
async function insertInProcess(dataDir: string, agents: BenchAgent[], bodies: string[][]): Promise<{ raw: number; inProcess: number }> {
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  try {
    const { db } = handle;
    await db.execute(sql`truncate ${telemetrySamples}`);
    let raw = 0;
    for (const [index, agent] of agents.entries()) {
      for (const body of bodies[index]!) {
        const rows = (JSON.parse(body) as { samples: TelemetrySample[] }).samples.map((s) => ({
          endpointId: agent.endpointId,
          measuredAt: new Date(s.measuredAt),
          rttMs: s.rttMs ?? null,
          jitterMs: s.jitterMs ?? null,
          lossPct: s.lossPct ?? null,
          dfProbeBytes: s.dfProbe?.bytes ?? null,
          dfProbeOk: s.dfProbe?.ok ?? null,
          path: s.path ?? null,
          txBytes: s.counters?.txBytes ?? null,
          rxBytes: s.counters?.rxBytes ?? null,
          txPackets: s.counters?.txPackets ?? null,
          rxPackets: s.counters?.rxPackets ?? null,
          bumPps: s.bumPps ?? null,
          learnedMacs: s.learnedMacs ?? null,
        }));
        const started = performance.now();
        await db.insert(telemetrySamples).values(rows);
        raw += (performance.now() - started) / 1000;
      }
    }
    await db.execute(sql`truncate ${telemetrySamples}`);
    let inProcess = 0;
    const now = new Date();
    for (const [index, agent] of agents.entries()) {
      for (const body of bodies[index]!) {
        const samples = (JSON.parse(body) as { samples: TelemetrySample[] }).samples;
        const started = performance.now();
        const result = await ingestSamples(db, agent, samples, now);
        inProcess += (performance.now() - started) / 1000;
        if (!result.ok || result.accepted !== samples.length) throw new Error(`ingestSamples stored ${JSON.stringify(result)}`);
      }
    }
    return { raw, inProcess };
  } finally {
    await handle.close();
  }
}

function renderIngest(runs: IngestRun[], loadBefore: number): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const wallOf = (r: IngestRun) => (r.httpSeconds * 1e6) / r.samples;
  const first = runs[0]!;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${loadBefore.toFixed(1)} at the start. ` +
      `PGlite in a data folder. The console (server.ts on the production build in .next) and the agents share the machine; agents post ${BATCH}-sample batches, ` +
      `at most ${CONCURRENCY} requests in flight, each agent within the API's 20-burst / 2-a-second limit; ${TOTAL} samples per fleet size. ` +
      `Raw: the same rows inserted in-process with drizzle in batches of ${BATCH}, into the same database after the console stopped. ` +
      "In-process: `ingestSamples` from the source tree on the same rows (the HTTP column runs whatever was last built).",
    "",
    "| tunnels (agents posting) | HTTP samples/s | raw insert samples/s | HTTP ÷ raw | in-process ingestSamples samples/s | console CPU µs/sample | wall µs/sample | ÷ 10-tunnel figure | 429s |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map((r) =>
      `| ${r.tunnels} (${Math.min(r.tunnels * 2, r.samples / BATCH)}) | ${r.httpPerSecond.toFixed(0)} | ${r.rawPerSecond.toFixed(0)} | ${(r.httpPerSecond / r.rawPerSecond).toFixed(2)} | ` +
        `${r.inProcessPerSecond.toFixed(0)} | ${r.consoleCpuMicros.toFixed(0)} | ${wallOf(r).toFixed(0)} | ${(wallOf(r) / wallOf(first)).toFixed(2)}× | ${r.rateLimited} |`,
    ),
  ];
  return lines.join("\n");
}
