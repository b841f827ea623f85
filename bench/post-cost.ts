/**
 * `npm run bench -- post-cost`: the console's own work for an agent's post, old code against new
 * on the same posts in one process, taking turns (ABBA…), so the machine's load weighs on both
 * alike (bench/post-cost-before.ts holds the old code).
 *
 * 1. The token look-up (lib/auth/agent.ts, findAgents) on PostgreSQL, in groups of 16 (a quiet
 *    console: one group per post in flight) and of 500 (the group's cap, a busy one): the
 *    benchmark process's CPU and its scavenges per 1,000 look-ups.
 * 2. What a post allocates in the console's own JavaScript, stage by stage, without the network
 *    and the database: the body's text, JSON.parse, zod's parse, the time checks, the group
 *    statement's parameters (groups of 16 posts) and the answer. Bytes allocated in the young
 *    generation per post (the heap's new space before and after a run of posts with no
 *    scavenge inside), and CPU per 1,000 posts.
 *
 * Knobs: BENCH_POST_ROUNDS (6), BENCH_POST_LOOKUPS (lookups per phase, 10,000).
 */
import os from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import { findAgents } from "@/lib/auth/agent";
import { hashToken } from "@/lib/auth/tokens";
import { openDatabase, type Database } from "@/lib/db/client";
import { jsonAnswer } from "@/lib/server/answer";
import { batchWeight, checkSampleTimes, groupParameters } from "@/lib/telemetry/ingest";
import { telemetryBatchSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { findAgentsBefore, groupParametersBefore } from "./post-cost-before";
import { createFleet, freshPostgresDatabase, sampleOf, type FleetAgent } from "./scale-fleet";

const ROUNDS = Number(process.env.BENCH_POST_ROUNDS ?? 6);
const LOOKUPS = Number(process.env.BENCH_POST_LOOKUPS ?? 10_000);
const TUNNELS = 500;
const GROUP_OF_POSTS = 16;

type Code = "before" | "now";
type Cost = { cpuMs: number; scavenges: number; count: number };

export async function benchPostCost(context: { postgresUrl: string }): Promise<string> {
  const loadBefore = os.loadavg();
  const url = await freshPostgresDatabase(context.postgresUrl, "bench_post_cost");
  const handle = await openDatabase({ kind: "postgres", url });
  try {
    const { agents } = await createFleet(handle.db, TUNNELS, "postcost");
    const lookups: string[] = [];
    for (const size of [16, 500]) lookups.push(...lookupRows(size, await compareLookups(handle.db, agents, size)));
    const posts = postsOf(agents);
    const stages = stageBytes(posts);
    const cpu = await compareRuns(posts);
    return render(lookups, stages, cpu, posts, loadBefore, os.loadavg());
  } finally {
    await handle.close();
  }
}

/** Scavenges seen by the observer since the last call (the observer reports after the fact: awaited before reading). */
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges += 1;
}).observe({ entryTypes: ["gc"] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function compareLookups(db: Database, agents: FleetAgent[], size: number): Promise<Record<Code, Cost[]>> {
  const hashes = agents.map((a) => hashToken(a.token));
  const now = new Date();
  let next = 0;
  const group = () => Array.from({ length: size }, () => ({ tokenHash: hashes[next++ % hashes.length]!, now }));
  const find = { before: findAgentsBefore, now: findAgents };
  // Warm both, and check they agree on what they find.
  const probe = group();
  const [a, b] = [await findAgentsBefore(db, probe), await findAgents(db, probe)];
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error("the old and the new look-up found different agents");
  const costs: Record<Code, Cost[]> = { before: [], now: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const code of round % 2 === 0 ? (["before", "now"] as const) : (["now", "before"] as const)) {
      await settle();
      const [cpu, gcs] = [process.cpuUsage(), scavenges];
      for (let done = 0; done < LOOKUPS; done += size) await find[code](db, group());
      await settle();
      const used = process.cpuUsage(cpu);
      costs[code].push({ cpuMs: (used.user + used.system) / 1_000, scavenges: scavenges - gcs, count: LOOKUPS });
    }
  }
  return costs;
}

type Post = { agent: FleetAgent; chunk: Buffer };
/** One sample each, as the fleet posts them, from every agent in turn. */
function postsOf(agents: FleetAgent[]): Post[] {
  const at = Date.now() - 60_000;
  return agents.map((agent) => ({ agent, chunk: Buffer.from(JSON.stringify(sampleOf(agent, new Date(at)))) }));
}

/** A post's own work, stage by stage, as the code was ("before") and is ("now"). */
const STAGES = ["body's text", "JSON.parse", "zod's parse", "time checks and weight", "group statement's parameters", "the answer"] as const;
type Stage = (typeof STAGES)[number];
type Pipeline = Record<Stage, (post: Post, carry: Carry) => void>;
type Carry = { text: string; body: unknown; samples: TelemetrySample[] };
const pending: { agent: FleetAgent; samples: TelemetrySample[]; now: Date }[] = [];

function pipeline(code: Code): Pipeline {
  return {
    "body's text": (post, c) => void (c.text = code === "before" ? Buffer.concat([post.chunk], post.chunk.byteLength).toString("utf8") : post.chunk.toString("utf8")),
    "JSON.parse": (_, c) => void (c.body = JSON.parse(c.text)),
    "zod's parse": (_, c) => {
      const parsed = telemetryBatchSchema.safeParse({ samples: [c.body] });
      if (!parsed.success) throw new Error("a bench sample failed the schema");
      c.samples = parsed.data.samples;
    },
    "time checks and weight": (_, c) => {
      const now = new Date();
      if (Object.keys(checkSampleTimes(c.samples, now)).length > 0) throw new Error("a bench sample is out of the time window");
      batchWeight(c.samples, c.text.length);
    },
    // Posts go to the database in groups: a group is built once the group's 16th post is in.
    "group statement's parameters": (post, c) => {
      pending.push({ agent: post.agent, samples: c.samples, now: new Date() });
      if (pending.length < GROUP_OF_POSTS) return;
      (code === "before" ? groupParametersBefore : groupParameters)(pending);
      pending.length = 0;
    },
    "the answer": () => {
      const answer = jsonAnswer(202, { accepted: 1, duplicates: 0 }, { "cache-control": "no-store" });
      void { ...answer.headers, "content-length": Buffer.byteLength(answer.body) };
    },
  };
}

function runPost(p: Pipeline, post: Post, carry: Carry, upTo: number): void {
  for (let s = 0; s < upTo; s++) p[STAGES[s]!](post, carry);
}

const youngBytes = () => {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name === "new_space" || space.space_name === "new_large_object_space") used += space.space_used_size;
  return used;
};

/**
 * Bytes allocated per post up to each stage: the young generation's growth over 32 posts, the
 * median of many runs (a run with a scavenge inside shrinks and is dropped), less the same
 * measure over nothing (what reading the heap's statistics allocates itself).
 */
function stageBytes(posts: Post[]): Record<Code, number[]> {
  const RUN = GROUP_OF_POSTS * 2;
  const measure = (work: (post: Post) => void) => {
    const seen: number[] = [];
    for (let attempt = 0; seen.length < 200 && attempt < 2_000; attempt++) {
      const start = attempt * RUN;
      const before = youngBytes();
      for (let i = 0; i < RUN; i++) work(posts[(start + i) % posts.length]!);
      const grown = youngBytes() - before;
      if (grown >= 0) seen.push(grown / RUN);
    }
    return seen.sort((a, b) => a - b)[Math.floor(seen.length / 2)]!;
  };
  const nothing = measure(() => {});
  const result: Record<Code, number[]> = { before: [], now: [] };
  for (const code of ["before", "now"] as const) {
    const p = pipeline(code);
    const carry: Carry = { text: "", body: null, samples: [] };
    for (let upTo = 1; upTo <= STAGES.length; upTo++) {
      pending.length = 0;
      for (const post of posts.slice(0, 200)) runPost(p, post, carry, upTo);
      result[code].push(Math.max(0, measure((post) => runPost(p, post, carry, upTo)) - nothing));
    }
  }
  return result;
}

/** CPU and scavenges per 1,000 posts of the whole pipeline, old and new taking turns. */
async function compareRuns(posts: Post[]): Promise<Record<Code, Cost[]>> {
  const costs: Record<Code, Cost[]> = { before: [], now: [] };
  const count = 20_000;
  for (let round = 0; round < ROUNDS; round++) {
    for (const code of round % 2 === 0 ? (["before", "now"] as const) : (["now", "before"] as const)) {
      const p = pipeline(code);
      const carry: Carry = { text: "", body: null, samples: [] };
      pending.length = 0;
      await settle();
      const [cpu, gcs] = [process.cpuUsage(), scavenges];
      for (let i = 0; i < count; i++) runPost(p, posts[i % posts.length]!, carry, STAGES.length);
      const used = process.cpuUsage(cpu);
      // The observer reports scavenges after the fact: read once the run's have come in.
      await settle();
      costs[code].push({ cpuMs: (used.user + used.system) / 1_000, scavenges: scavenges - gcs, count });
    }
  }
  return costs;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perThousand = (costs: Cost[], pick: (c: Cost) => number) => median(costs.map((c) => (pick(c) * 1_000) / c.count));

function lookupRows(size: number, costs: Record<Code, Cost[]>): string[] {
  const [cpuBefore, cpuNow] = [perThousand(costs.before, (c) => c.cpuMs), perThousand(costs.now, (c) => c.cpuMs)];
  const [gcBefore, gcNow] = [perThousand(costs.before, (c) => c.scavenges), perThousand(costs.now, (c) => c.scavenges)];
  const byRound = costs.before.map((b, r) => (b.cpuMs / costs.now[r]!.cpuMs).toFixed(2) + "×").join(", ");
  return [
    `| groups of ${size}: CPU per 1,000 look-ups | ${cpuBefore.toFixed(1)} ms | ${cpuNow.toFixed(1)} ms | ${(cpuBefore / cpuNow).toFixed(2)}× (by round ${byRound}) |`,
    `| groups of ${size}: scavenges per 1,000 look-ups | ${gcBefore.toFixed(2)} | ${gcNow.toFixed(2)} | ${gcNow === 0 ? "—" : `${(gcBefore / gcNow).toFixed(2)}×`} |`,
  ];
}

function render(lookups: string[], stages: Record<Code, number[]>, cpu: Record<Code, Cost[]>, posts: Post[], loadBefore: number[], loadAfter: number[]): string {
  const cpuOf = (code: Code) => perThousand(cpu[code], (c) => c.cpuMs);
  const byRound = cpu.before.map((b, r) => (b.cpuMs / cpu.now[r]!.cpuMs).toFixed(2) + "×").join(", ");
  const bodyBytes = median(posts.map((p) => p.chunk.byteLength));
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; load average ` +
      `${loadBefore.map((n) => n.toFixed(1)).join(" / ")} at the start and ${loadAfter.map((n) => n.toFixed(1)).join(" / ")} at the end. One process, old code and new taking turns ` +
      `(${ROUNDS} rounds; medians), ${TUNNELS} tunnels on PostgreSQL (loopback, fsync off); posts of one sample as the fleet sends them (${bodyBytes} bytes of JSON).`,
    "",
    "| token look-up (findAgents), the benchmark's process | before | now | before ÷ now |",
    "| --- | ---: | ---: | ---: |",
    ...lookups,
    "",
    "| a post's own JavaScript, without network or database: bytes allocated per post | before | now |",
    "| --- | ---: | ---: |",
    ...STAGES.map((stage, i) => {
      const [b, n] = [stages.before[i]! - (stages.before[i - 1] ?? 0), stages.now[i]! - (stages.now[i - 1] ?? 0)];
      return `| ${stage} | ${b.toFixed(0)} B | ${n.toFixed(0)} B |`;
    }),
    `| all of it | ${stages.before.at(-1)!.toFixed(0)} B | ${stages.now.at(-1)!.toFixed(0)} B |`,
    `| CPU per 1,000 posts | ${cpuOf("before").toFixed(1)} ms | ${cpuOf("now").toFixed(1)} ms (before ÷ now ${(cpuOf("before") / cpuOf("now")).toFixed(2)}×; by round ${byRound}) |`,
    `| scavenges per 1,000 posts | ${perThousand(cpu.before, (c) => c.scavenges).toFixed(2)} | ${perThousand(cpu.now, (c) => c.scavenges).toFixed(2)} |`,
  ].join("\n");
}
