/**
 * `npm run bench -- ingest-capacity`: the scale benchmark's ingest-capacity phase (bench/scale-ingest.ts)
 * on its own, against two consoles sharing PostgreSQL, without the hour of seeding and the five
 * minutes of mixed load before it: a reproduction small enough to run before and after a change.
 *
 * A fleet of BENCH_CAPACITY_TUNNELS tunnels (1,000: 2,000 agents, as many as post in the scale
 * benchmark) with BENCH_CAPACITY_HISTORY_MINUTES of history (10), two consoles on the production
 * build, then phases of BENCH_CAPACITY_SECONDS (15) alternating the bodies made in the window
 * (what the scale benchmark did until 2026-12-05) and made before it, BENCH_CAPACITY_ROUNDS (2)
 * pairs. Per phase: samples accepted per second, and the CPU of the benchmark's own process, of
 * each console and of PostgreSQL's processes, in per cent of one core (the machine has two).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "@/lib/db/client";
import { createFleet, freshPostgresDatabase, ingestHistory, SAMPLE_EVERY_MS, startConsole, type RunningConsole } from "./scale-fleet";
import { backlogSource, measureIngestCapacity, postmasterPid, prepareBacklogs, type IngestCapacity } from "./scale-ingest";

const TUNNELS = Number(process.env.BENCH_CAPACITY_TUNNELS ?? 1_000);
const HISTORY_MINUTES = Number(process.env.BENCH_CAPACITY_HISTORY_MINUTES ?? 10);
const SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_CAPACITY_ROUNDS ?? 2);
/** Which phases: "both" (alternating bodies made in and before the window), "prepared", "window", or "in-flight" (bodies made before, 24 and 48 requests in flight alternating). */
const PHASES = process.env.BENCH_CAPACITY_PHASES ?? "both";
/** Enough prepared bodies for a phase at this rate (samples a second); past it the rest are made in the window. */
const PREPARE_FOR_RATE = 40_000;

export async function benchIngestCapacity(context: { postgresUrl: string }): Promise<string> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `node scripts/start.mjs --build-only` first.");
  const loadBefore = os.loadavg();
  const url = await freshPostgresDatabase(context.postgresUrl, "bench_ingest_capacity");
  const handle = await openDatabase({ kind: "postgres", url });
  let postgresPid: number;
  const { agents } = await (async () => {
    try {
      const fleet = await createFleet(handle.db, TUNNELS, "capacity");
      const end = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
      if (HISTORY_MINUTES > 0) await ingestHistory(handle.db, fleet.agents, new Date(end - HISTORY_MINUTES * 60_000), new Date(end), 8);
      postgresPid = await postmasterPid(url);
      return fleet;
    } finally {
      await handle.close();
    }
  })();
  console.log(`[bench] ingest-capacity: ${agents.length} agents, ${HISTORY_MINUTES} min of history; starting two consoles…`);

  const env = { DATABASE_URL: url, SESSION_SECRET: "bench-session-secret-0123456789-abcdefghij", SECRETS_KEY: "bench-secrets-key-0123456789-abcdefghijklmn" };
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-capacity-")));
  const consoles: RunningConsole[] = [];
  try {
    for (const dir of dirs) consoles.push(await startConsole(env, dir, 64));
    const source = backlogSource(agents);
    // Warm-up: the consoles' first posts compile their paths and fill their pools.
    await measureIngestCapacity(consoles, agents, 5, { source });
    const phases: IngestCapacity[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pair = <T>(a: T, b: T) => (round % 2 === 0 ? [a, b] : [b, a]);
      const kinds =
        PHASES === "both" ? pair({ prepare: false, inFlight: 24 }, { prepare: true, inFlight: 24 })
        : PHASES === "in-flight" ? pair({ prepare: true, inFlight: 24 }, { prepare: true, inFlight: 48 })
        : [{ prepare: PHASES === "prepared", inFlight: 24 }];
      for (const { prepare, inFlight } of kinds) {
        const prepared = prepare ? prepareBacklogs(source, SECONDS * PREPARE_FOR_RATE) : undefined;
        phases.push(await measureIngestCapacity(consoles, agents, SECONDS, { source, prepared, postgresPid: postgresPid!, inFlight }));
        console.log(`[bench] ingest-capacity: round ${round + 1}: ${describe(phases.at(-1)!)}`);
      }
    }
    return render(phases, loadBefore, os.loadavg());
  } finally {
    for (const c of consoles) await c.stop().catch((error: unknown) => console.error(`[bench] a console did not stop cleanly: ${String(error)}`));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describe(p: IngestCapacity): string {
  return (
    `${p.prepared ? "prepared" : "in window"}, ${p.inFlight} in flight: ${(p.accepted / p.seconds).toFixed(0)} samples/s (${p.requests} requests, ${p.refused} refused, ${p.failed} failed); ` +
    `CPU bench ${p.cpu.bench.toFixed(0)} %, consoles ${p.cpu.consoles.map((c) => c.toFixed(0)).join(" + ")} %, PostgreSQL ${p.cpu.postgres?.toFixed(0) ?? "?"} %; µs/sample ${perSample(p)}`
  );
}

/** CPU per accepted sample, in µs: what the machine's two cores divide into the rate they can sustain. */
function perSample(p: IngestCapacity): string {
  const per = (percent: number | null) => (percent === null || p.accepted === 0 ? "—" : ((percent / 100) * p.seconds * 1e6) / p.accepted);
  const fmt = (v: number | string) => (typeof v === "number" ? v.toFixed(0) : v);
  const consoles = p.cpu.consoles.reduce((a, b) => a + b, 0);
  return `${fmt(per(p.cpu.bench))} / ${fmt(per(consoles))} / ${fmt(per(p.cpu.postgres))}`;
}

function render(phases: IngestCapacity[], loadBefore: number[], loadAfter: number[]): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const pct = (n: number | null) => (n === null ? "—" : `${n.toFixed(0)} %`);
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${loadBefore[0]!.toFixed(1)} before and ${loadAfter[0]!.toFixed(1)} after. ` +
      `${TUNNELS.toLocaleString("en")} tunnels (${(TUNNELS * 2).toLocaleString("en")} agents), two consoles on the production build sharing PostgreSQL (loopback, fsync off); ` +
      `backlogs of 200 samples, ${SECONDS} s a phase. CPU in per cent of one core (the machine has two: 200 % in all).`,
    "",
    "| phase | bodies (requests in flight) | samples/s | requests (refused; failed) | benchmark CPU | console CPU | PostgreSQL CPU | CPU µs per sample: benchmark / consoles / PostgreSQL |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...phases.map(
      (p, i) =>
        `| ${i + 1} | ${p.prepared ? "made before" : "made in the window"} (${p.inFlight}) | ${(p.accepted / p.seconds).toFixed(0)} | ${p.requests} (${p.refused}; ${p.failed}) | ${pct(p.cpu.bench)} | ${p.cpu.consoles.map(pct).join(" + ")} | ${pct(p.cpu.postgres)} | ${perSample(p)} |`,
    ),
  ].join("\n");
}

