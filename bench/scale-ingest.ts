/**
 * Ingest capacity under the mixed load (issue 16: ≥ 5,000 samples/s at 1,000 tunnels on PGlite,
 * ≥ 20,000/s on PostgreSQL with two instances): for a while, the fleet's agents post backlogs
 * (batches of 200, as an agent does after an outage) as fast as the consoles accept them, a fixed
 * number of requests in flight, spread over the agents (each stays far below its rate limit)
 * and over the consoles. Everything else keeps running: the agents' regular posts, the wall,
 * the consoles' evaluation, roll-ups and retention.
 *
 * The samples are a backlog from two days ago, one a second per agent, none measured before, so
 * every one is a new row (the same unique key as a real late batch).
 *
 * The bodies are made before the timed window (`prepareBacklogs`): making one (200 samples from
 * the fleet simulator, then JSON) costs the benchmark's thread about 2 ms, which at 20,000
 * samples a second is a fifth of a core taken from the consoles and PostgreSQL on this 2-core
 * machine; real agents make theirs on their own machines. The benchmark's process still does
 * the HTTPS client's work (TLS, HTTP) in the window, and its CPU is measured beside the
 * consoles' and PostgreSQL's (`cpu`), so a reader can see who had the cores.
 */
import fs from "node:fs";
import pg from "pg";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { cpuSecondsOf, request, sampleOf, type FleetAgent, type RunningConsole } from "./scale-fleet";

const BATCH = 200;
/** Requests in flight at once, as in bench/ingest.ts. */
const IN_FLIGHT = 24;

/** CPU used over the window, in per cent of one core. */
export type CapacityCpu = { bench: number; consoles: number[]; postgres: number | null };
export type IngestCapacity = { seconds: number; accepted: number; requests: number; refused: number; failed: number; prepared: boolean; inFlight: number; cpu: CapacityCpu };

/** One post of a backlog: whose, and its body. */
export type BacklogPost = { agent: number; body: Buffer };

/**
 * Backlogs of 200 samples per post, agent after agent in turn, each agent's next post a further
 * 200 seconds of its backlog (two days ago and after), so no sample is sent twice across calls.
 */
export function backlogSource(agents: FleetAgent[]): () => BacklogPost {
  const backlogFrom = Date.now() - 2 * 86_400_000;
  const sent = agents.map(() => 0);
  let next = 0;
  return () => {
    const i = next++ % agents.length;
    const agent = agents[i]!;
    const first = sent[i]!;
    sent[i] = first + BATCH;
    const samples: TelemetrySample[] = Array.from({ length: BATCH }, (_, k) => sampleOf(agent, new Date(backlogFrom + (first + k) * 1_000)));
    return { agent: i, body: Buffer.from(JSON.stringify({ samples })) };
  };
}

/** `samples` worth of posts from the source, made now (outside any timed window). */
export function prepareBacklogs(source: () => BacklogPost, samples: number): BacklogPost[] {
  return Array.from({ length: Math.ceil(samples / BATCH) }, source);
}

/**
 * Posts backlogs for `seconds`, IN_FLIGHT at a time (or `inFlight`), agent i to console i mod n. From `prepared`
 * while it lasts (then made in the window, which the result's `prepared` says), or all made in
 * the window when none are given. `postgresPid`: the postmaster, whose backends' CPU is counted.
 */
export async function measureIngestCapacity(
  consoles: RunningConsole[],
  agents: FleetAgent[],
  seconds: number,
  options: { source?: () => BacklogPost; prepared?: BacklogPost[]; postgresPid?: number; inFlight?: number } = {},
): Promise<IngestCapacity> {
  const source = options.source ?? backlogSource(agents);
  const prepared = options.prepared ?? [];
  let preparedUsed = 0;
  let madeInWindow = 0;
  let accepted = 0;
  let requests = 0;
  let refused = 0;
  let failed = 0;
  const nextPost = (): BacklogPost => {
    if (preparedUsed < prepared.length) return prepared[preparedUsed++]!;
    madeInWindow += 1;
    return source();
  };

  // Making the bodies held the thread for seconds, past the consoles' keep-alive timeout: the
  // sockets they closed meanwhile are dropped from the pool once the loop turns, instead of
  // failing the first posts of the window.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const cpuBefore = readCpu(consoles, options.postgresPid);
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const { agent: i, body } = nextPost();
      try {
        const answer = await request(consoles[i % consoles.length]!, "POST", "/api/v1/telemetry", { authorization: `Bearer ${agents[i]!.token}`, "content-type": "application/json" }, body);
        requests += 1;
        if (answer.status === 202) accepted += BATCH;
        else refused += 1;
      } catch (error) {
        if (failed === 0) console.error(`[bench] ingest capacity: a post failed: ${String(error)}`);
        failed += 1;
      }
    }
  };
  const inFlight = options.inFlight ?? IN_FLIGHT;
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1_000;
  const cpuAfter = readCpu(consoles, options.postgresPid);
  const share = (before: number, after: number) => ((after - before) / elapsed) * 100;
  return {
    seconds: elapsed,
    accepted,
    requests,
    refused,
    failed,
    prepared: prepared.length > 0 && madeInWindow === 0,
    inFlight,
    cpu: {
      bench: share(cpuBefore.bench, cpuAfter.bench),
      consoles: cpuBefore.consoles.map((c, k) => share(c, cpuAfter.consoles[k]!)),
      postgres: cpuBefore.postgres === null || cpuAfter.postgres === null ? null : share(cpuBefore.postgres, cpuAfter.postgres),
    },
  };
}

function readCpu(consoles: RunningConsole[], postgresPid: number | undefined) {
  const own = process.cpuUsage();
  return {
    bench: (own.user + own.system) / 1e6,
    consoles: consoles.map((c) => cpuSecondsOf(c.pid)),
    postgres: postgresPid === undefined ? null : postgresCpuSeconds(postgresPid),
  };
}

/**
 * The postmaster's CPU and that of every process it started (its backends and background
 * workers), from /proc (Linux).
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  // The postmaster's own, and its exited children's (cutime, cstime: a backend that ended in the
  // window, e.g. a pool's idle client closed, is counted there once reaped).
  const own = fs.readFileSync(`/proc/${postmasterPid}/stat`, "utf8");
  const ownFields = own.slice(own.lastIndexOf(")") + 2).split(" ");
  let total = (Number(ownFields[11]) + Number(ownFields[12]) + Number(ownFields[13]) + Number(ownFields[14])) / 100;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === postmasterPid) total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Gone between the listing and the read: its seconds went with it.
    }
  }
  return total;
}

/** The postmaster: the parent of a backend (whose pid the server tells). */
export async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const stat = fs.readFileSync(`/proc/${rows[0]!.pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } finally {
    await client.end();
  }
}
