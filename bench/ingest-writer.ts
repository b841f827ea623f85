/**
 * `npm run bench -- ingest-writer`: one group statement of the ingest path (lib/telemetry/ingest.ts,
 * writeBatches) against the writer as it was (bench/ingest-writer-before.ts), on the same
 * PostgreSQL and the same fleet, groups of the size the consoles write under a backlog (25 posts
 * of 200 samples: the group cap of 5,000), old and new in alternation (ABBA…) so that the machine's
 * load weighs on both alike. Per sample: the wall time, the benchmark process's CPU (the console's
 * share: building the statement, reading its answer) and PostgreSQL's CPU (every process of the
 * cluster, which serves nothing else meanwhile).
 *
 * Knobs: BENCH_WRITER_GROUPS (groups per writer, 12), BENCH_WRITER_TUNNELS (1,000).
 */
import os from "node:os";
import { openDatabase, type Database } from "@/lib/db/client";
import { writeBatches } from "@/lib/telemetry/ingest";
import { telemetryBatchSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { writeBatchesBefore } from "./ingest-writer-before";
import { createFleet, freshPostgresDatabase, ingestHistory, SAMPLE_EVERY_MS, sampleOf, type FleetAgent } from "./scale-fleet";
import { postgresCpuSeconds, postmasterPid } from "./scale-ingest";

const GROUPS = Number(process.env.BENCH_WRITER_GROUPS ?? 12);
const TUNNELS = Number(process.env.BENCH_WRITER_TUNNELS ?? 1_000);
const BATCH = 200;
const BATCHES_PER_GROUP = 25;

type Writer = "before" | "now";
type Batch = { agent: FleetAgent; samples: TelemetrySample[]; now: Date };
type Totals = { samples: number; wallMs: number; nodeMs: number; postgresMs: number; accepted: number };

export async function benchIngestWriter(context: { postgresUrl: string }): Promise<string> {
  const loadBefore = os.loadavg()[0]!;
  const url = await freshPostgresDatabase(context.postgresUrl, "bench_ingest_writer");
  const handle = await openDatabase({ kind: "postgres", url });
  try {
    const { agents } = await createFleet(handle.db, TUNNELS, "writer");
    const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
    await ingestHistory(handle.db, agents, new Date(end - 10 * 60_000), new Date(end), 8);
    const postmaster = await postmasterPid(url);
    const nextBatch = batchSource(agents);
    const totals: Record<Writer, Totals> = { before: zero(), now: zero() };
    // One group each first, not counted: both statements planned and their code warm.
    for (const writer of ["before", "now"] as const) await writeGroup(handle.db, writer, group(nextBatch), postmaster);
    for (let round = 0; round < GROUPS; round++) {
      for (const writer of round % 2 === 0 ? (["before", "now"] as const) : (["now", "before"] as const)) {
        add(totals[writer], await writeGroup(handle.db, writer, group(nextBatch), postmaster));
      }
    }
    return render(totals, loadBefore, os.loadavg()[0]!);
  } finally {
    await handle.close();
  }
}

const zero = (): Totals => ({ samples: 0, wallMs: 0, nodeMs: 0, postgresMs: 0, accepted: 0 });
const add = (into: Totals, t: Totals) => {
  for (const key of Object.keys(into) as (keyof Totals)[]) into[key] += t[key];
};

/** Backlogs two days old, each agent's next batch 200 s further on: every sample a new row. */
function batchSource(agents: FleetAgent[]): () => Batch {
  const from = Date.now() - 2 * 86_400_000;
  const sent = agents.map(() => 0);
  let next = 0;
  return () => {
    const i = next++ % agents.length;
    const agent = agents[i]!;
    const first = sent[i]!;
    sent[i] = first + BATCH;
    // Through the route's own schema, as the console has them when it writes.
    const samples = telemetryBatchSchema.parse({ samples: Array.from({ length: BATCH }, (_, k) => sampleOf(agent, new Date(from + (first + k) * 1_000))) }).samples;
    return { agent, samples, now: new Date() };
  };
}

const group = (nextBatch: () => Batch) => Array.from({ length: BATCHES_PER_GROUP }, nextBatch);

async function writeGroup(db: Database, writer: Writer, batches: Batch[], postmaster: number): Promise<Totals> {
  const postgresBefore = postgresCpuSeconds(postmaster);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await (writer === "before" ? writeBatchesBefore(db, batches) : writeBatches(db, batches));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const samples = batches.reduce((n, b) => n + b.samples.length, 0);
  const accepted = results.reduce((n, r) => n + r.accepted, 0);
  if (accepted !== samples) throw new Error(`${writer}: ${accepted} of ${samples} samples stored; every one was new.`);
  return { samples, wallMs, nodeMs: (used.user + used.system) / 1_000, postgresMs: (postgresCpuSeconds(postmaster) - postgresBefore) * 1_000, accepted };
}

function render(totals: Record<Writer, Totals>, loadBefore: number, loadAfter: number): string {
  const us = (t: Totals, key: "wallMs" | "nodeMs" | "postgresMs") => (t[key] * 1_000) / t.samples;
  const row = (label: string, key: "wallMs" | "nodeMs" | "postgresMs") =>
    `| ${label} | ${us(totals.before, key).toFixed(1)} µs | ${us(totals.now, key).toFixed(1)} µs | ${(us(totals.before, key) / us(totals.now, key)).toFixed(2)}× |`;
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after; ` +
      `PostgreSQL on loopback (fsync off), ${TUNNELS.toLocaleString("en")} tunnels with 10 minutes of history; ${GROUPS} groups of ${(BATCH * BATCHES_PER_GROUP).toLocaleString("en")} new samples per writer, alternating.`,
    "",
    "| per sample written | before | now | before ÷ now |",
    "| --- | ---: | ---: | ---: |",
    row("wall time of the group statement", "wallMs"),
    row("PostgreSQL CPU", "postgresMs"),
    row("the writer's own CPU (the console's share)", "nodeMs"),
  ].join("\n");
}

