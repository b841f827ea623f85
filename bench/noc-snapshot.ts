/**
 * `npm run bench -- noc`: the wall's snapshot at 1,000 tunnels on PGlite, in one process, before
 * and after issue 16's wall work, so the figures are ratios within one run:
 * - quiet: the last 90 s read twice (newest RTT, then rates) against once (readCurrentEnds), and a
 *   whole cold snapshot read;
 * - busy: what GET /api/v1/noc does after the request arrives (the display's session checked,
 *   then the snapshot) while agents post through the ingest writer, the warning evaluation runs
 *   every 15 s and the roll-up every minute: a cold read per request (before: every wall read
 *   was past the 5 s share window) against the kept snapshot (now), taking turns.
 * BENCH_NOC_SECONDS sets the busy phase's length (default 150, the first 30 not counted).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import { authenticateSession } from "@/lib/auth/principal";
import { startSession } from "@/lib/commands/sessions";
import { openDatabase, type Database } from "@/lib/db/client";
import { nocDisplays } from "@/lib/db/schema";
import { getNocSnapshot } from "@/lib/queries/noc";
import { forgetNocSnapshot, nocSnapshotResponse, readNocSnapshot } from "@/lib/queries/noc-cache";
import { currentEndsStatement, readCurrentEnds } from "@/lib/queries/tunnel-throughput";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { rollUpMinutes } from "@/lib/telemetry/rollup";
import { BUCKET_ORIGIN, epochMs, queryRows, timeParam } from "@/lib/telemetry/sql";
import { endRatesStatementBefore, newestRttsStatementBefore, readCurrentEndsBefore } from "@/tests/support/noc-before";
import { createTunnels } from "@/tests/support/telemetry-fixtures";
import type { TelemetrySample } from "@/lib/validation/telemetry";

const TUNNELS = 1_000;
const QUIET_ROUNDS = 15;
const WINDOW_MS = 90_000;
/** How often each end posts: 10 s as the issue's mixed load; BENCH_NOC_POST_EVERY_MS=2000 makes the database's queue grow. */
const AGENT_INTERVAL_MS = Number(process.env.BENCH_NOC_POST_EVERY_MS ?? 10_000);
const READ_EVERY_MS = 2_750;

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (n: number) => (Number.isNaN(n) ? "–" : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
};

/** What an agent sends every 10 s: an RTT, and counters growing at 1 Mbit/s out and 0.5 Mbit/s in. */
function sampleAt(at: Date): TelemetrySample {
  const seconds = Math.floor(at.getTime() / 1000);
  return {
    measuredAt: at.toISOString(),
    rttMs: 5 + Math.random() * 40,
    jitterMs: Math.random(),
    lossPct: 0,
    counters: { txBytes: seconds * 125_000, rxBytes: seconds * 62_500, txPackets: seconds * 100, rxPackets: seconds * 80 },
  };
}

/** 1,000 tunnels, an hour of 30-second RTTs rolled up into minutes, and the last two minutes raw every 10 s with counters. */
async function seed(db: Database, now: Date) {
  const tunnels = await createTunnels(db, TUNNELS);
  const hourAgo = new Date(now.getTime() - 3_600_000);
  await db.execute(sql`
    insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct)
    select e.id, t, t + interval '1 second', 5 + abs(hashtext(e.tunnel_id::text)) % 40 + random() * 3, random(), 0
    from tunnel_endpoints e, generate_series(${hourAgo.toISOString()}::timestamptz, ${new Date(now.getTime() - 120_001).toISOString()}::timestamptz, '30 seconds'::interval) t`);
  await db.execute(sql`
    insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, tx_bytes, rx_bytes, tx_packets, rx_packets)
    select e.id, t, t + interval '1 second', 5 + abs(hashtext(e.tunnel_id::text)) % 40 + random() * 3, random(), 0,
           (extract(epoch from t) * 125000)::bigint, (extract(epoch from t) * 62500)::bigint, (extract(epoch from t) * 100)::bigint, (extract(epoch from t) * 80)::bigint
    from tunnel_endpoints e, generate_series(${new Date(now.getTime() - 120_000).toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, '10 seconds'::interval) t`);
  for (;;) if ((await rollUpMinutes(db, { now })).caughtUp) break;
  await db.execute(sql`update tunnel_endpoints set last_sample_at = ${now.toISOString()}::timestamptz`);
  await db.execute(sql`analyze`);
  const endpoints = await queryRows<{ id: string; tunnel_id: string; tenant_id: string; side: "source" | "avs"; token_hash: string | null }>(
    db,
    sql`select e.id, e.tunnel_id, t.tenant_id, e.side, e.agent_token_hash as token_hash from tunnel_endpoints e join tunnels t on t.id = e.tunnel_id`,
  );
  return { tunnels, endpoints };
}

/**
 * The plans of the snapshot's reads of raw samples, printed whole to the console and summed up
 * for the report: the node that finds the rows, and the execution time.
 */
async function explainWindowReads(db: Database, now: Date): Promise<{ name: string; summary: string }[]> {
  const since = new Date(now.getTime() - WINDOW_MS);
  const statements: [string, ReturnType<typeof sql>][] = [
    ["newest RTT per end (before)", newestRttsStatementBefore(since)],
    ["current rates (before)", endRatesStatementBefore(since)],
    ["newest RTT and rate in one (now)", currentEndsStatement(since)],
    [
      "sparklines' open minutes",
      sql`select endpoint_id, ${epochMs(sql`date_bin('1 minute', measured_at, ${BUCKET_ORIGIN})`)} as minute, count(rtt_ms)::int as n, sum(rtt_ms) as total
          from telemetry_samples where measured_at >= ${timeParam(new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 60_000))} and measured_at <= ${timeParam(now)} group by 1, 2`,
    ],
  ];
  const summaries: { name: string; summary: string }[] = [];
  for (const [name, statement] of statements) {
    const lines = (await queryRows<{ "QUERY PLAN": string }>(db, sql`explain (analyze, costs off) ${statement}`)).map((r) => r["QUERY PLAN"]);
    console.log(`[bench] noc: plan of ${name}:\n${lines.join("\n")}`);
    const scan = lines.find((l) => /(Index|Seq|Bitmap Heap) Scan/.test(l))?.trim().replace(/^->\s*/, "").replace(/\s+\(actual.*$/, "") ?? "?";
    const time = lines.find((l) => l.startsWith("Execution Time"))?.replace("Execution Time: ", "") ?? "?";
    summaries.push({ name, summary: `${scan}, ${time}` });
  }
  return summaries;
}

export async function benchNocSnapshot(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-noc-"));
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  const loadAtStart = os.loadavg();
  try {
    const { db } = handle;
    const seededAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    console.log(`[bench] noc: seeding ${TUNNELS} tunnels…`);
    const [seedMs, { endpoints }] = await timed(() => seed(db, seededAt));

    // Quiet: the same data, the same clock, taking turns.
    console.log("[bench] noc: quiet reads…");
    const quiet = { twoReads: [] as number[], oneRead: [] as number[], snapshot: [] as number[], stringify: [] as number[] };
    let bytes = 0;
    for (let round = 0; round < QUIET_ROUNDS; round++) {
      const options = { now: seededAt, maxGapMs: WINDOW_MS };
      quiet.twoReads.push((await timed(() => readCurrentEndsBefore(db, options)))[0]);
      quiet.oneRead.push((await timed(() => readCurrentEnds(db, options)))[0]);
      const [snapshotMs, snapshot] = await timed(() => getNocSnapshot(db, seededAt));
      quiet.snapshot.push(snapshotMs);
      const [stringifyMs, body] = await timed(async () => JSON.stringify(snapshot));
      quiet.stringify.push(stringifyMs);
      bytes = body.length;
    }
    const [before, after] = await Promise.all([readCurrentEndsBefore(db, { now: seededAt, maxGapMs: WINDOW_MS }), readCurrentEnds(db, { now: seededAt, maxGapMs: WINDOW_MS })]);
    const plans = await explainWindowReads(db, seededAt);
    const same = JSON.stringify(Object.fromEntries(before)) === JSON.stringify(Object.fromEntries(after));

    // Busy: agents, evaluation and roll-ups on the one connection, and a wall reading through both paths.
    const seconds = Number(process.env.BENCH_NOC_SECONDS ?? 150);
    const warmUpMs = Math.min(30_000, (seconds * 1000) / 5);
    console.log(`[bench] noc: ${seconds} s under load…`);
    const [display] = await db.insert(nocDisplays).values({ name: "bench wall", tokenHash: "x".repeat(64), createdBy: "bench" }).returning({ id: nocDisplays.id });
    const sessionId = await startSession(db, { kind: "display", displayId: display!.id }, 86_400);
    const claims = { kind: "display" as const, sessionId, displayId: display!.id, name: "bench wall" };
    const authorize = () => authenticateSession(db, claims, { now: new Date(), idleMs: 3_600_000, background: true });

    const startedAt = performance.now();
    const endAt = startedAt + seconds * 1000;
    const counting = () => performance.now() - startedAt >= warmUpMs;
    const figures = { cold: [] as number[], kept: [] as number[], posts: [] as number[], evaluation: [] as number[], rollup: [] as number[], ages: [] as number[], coldAuth: [] as number[], keptAuth: [] as number[], coldSnapshot: [] as number[], keptSnapshot: [] as number[], accepted: 0, failures: [] as string[] };
    const loops: Promise<void>[] = [];
    /** Posts and wall reads still running, awaited before the database closes. */
    const reads: Promise<void>[] = [];
    const every = (intervalMs: number, offsetMs: number, work: () => Promise<void>) =>
      loops.push(
        (async () => {
          // Slots counted from the start, so a slow round does not shift the ones after it.
          for (let slot = startedAt + offsetMs; slot < endAt; slot += intervalMs) {
            const wait = slot - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            await work().catch((error: unknown) => void figures.failures.push(String(error)));
          }
        })(),
      );
    // Each end posts one sample every 10 s, the ends spread evenly over the interval (one post each, not awaited by the next).
    const agents = endpoints.map((e): AgentPrincipal => ({ endpointId: e.id, tunnelId: e.tunnel_id, tenantId: e.tenant_id, side: e.side, tokenUsed: "current", tokenHash: e.token_hash ?? "" }));
    const perTick = agents.length / (AGENT_INTERVAL_MS / 100);
    let next = 0;
    every(100, 0, async () => {
      const batch = agents.slice(next, next + perTick);
      next = (next + perTick) % agents.length;
      const at = new Date();
      for (const agent of batch) {
        const post = timed(() =>
          ingestSamples(db, agent, [sampleAt(at)]),
        ).then(
          ([took, result]) => {
            if (counting()) figures.posts.push(took);
            if (result.ok) figures.accepted += result.accepted;
          },
          (error: unknown) => void figures.failures.push(String(error)),
        );
        reads.push(post);
      }
    });
    every(15_000, 1_000, async () => {
      const [took] = await timed(() => runWarningEvaluation(db));
      if (counting()) figures.evaluation.push(took);
    });
    every(60_000, 7_000, async () => {
      const [took] = await timed(() => rollUpMinutes(db, { now: new Date() }));
      if (counting()) figures.rollup.push(took);
    });
    // The wall: a request every 2.75 s, taking turns between the two paths.
    // Not awaited by the loop: two walls, each asking on its own schedule whatever the other's wait.
    let turn = 0;
    every(READ_EVERY_MS, 500, async () => {
      const cold = turn++ % 2 === 0;
      const read = (async () => {
        const [authMs, principal] = await timed(authorize);
        if (!principal) throw new Error("the bench display's session was refused");
        const [snapshotMs] = await timed(async () => {
          if (cold) return JSON.stringify(await getNocSnapshot(db, new Date())).length;
          const served = await readNocSnapshot(db);
          if (counting()) figures.ages.push(Date.now() - Date.parse(served.snapshot.generatedAt));
          return nocSnapshotResponse(new Request("http://bench/api/v1/noc"), served).status;
        });
        if (!counting()) return;
        (cold ? figures.cold : figures.kept).push(authMs + snapshotMs);
        (cold ? figures.coldAuth : figures.keptAuth).push(authMs);
        (cold ? figures.coldSnapshot : figures.keptSnapshot).push(snapshotMs);
      })();
      reads.push(read.catch((error: unknown) => void figures.failures.push(String(error))));
    });
    await Promise.all(loops);
    await Promise.all(reads);
    const loadAtEnd = os.loadavg();
    const countedSeconds = (seconds * 1000 - warmUpMs) / 1000;

    const row = (label: string, values: number[]) => `| ${label} | ${values.length} | ${ms(pct(values, 50))} ms | ${ms(pct(values, 90))} ms | ${ms(Math.max(...values))} ms |`;
    return [
      `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}, ` +
        `load average ${loadAtStart[0]!.toFixed(1)} at the start and ${loadAtEnd[0]!.toFixed(1)} at the end; PGlite in a data folder (its own thread, one connection), everything in one process. ` +
        `${TUNNELS} tunnels (${endpoints.length} ends), an hour of RTTs rolled up into minutes and the last two minutes raw every 10 s; seeded in ${(seedMs / 1000).toFixed(0)} s. Snapshot ${(bytes / 1024).toFixed(1)} KiB of JSON.`,
      "",
      `**Quiet** (median of ${QUIET_ROUNDS}, taking turns; the folded read answered ${same ? "exactly the same" : "DIFFERENTLY from the two reads"}):`,
      "",
      "| read | median | p90 |",
      "| --- | ---: | ---: |",
      `| each end's newest RTT and current rate: two reads of the last 90 s (before) | ${ms(pct(quiet.twoReads, 50))} ms | ${ms(pct(quiet.twoReads, 90))} ms |`,
      `| the same in one read (now) | ${ms(pct(quiet.oneRead, 50))} ms | ${ms(pct(quiet.oneRead, 90))} ms |`,
      `| a whole snapshot, read cold | ${ms(pct(quiet.snapshot, 50))} ms | ${ms(pct(quiet.snapshot, 90))} ms |`,
      `| its JSON.stringify | ${ms(pct(quiet.stringify, 50))} ms | ${ms(pct(quiet.stringify, 90))} ms |`,
      "",
      "Plans (EXPLAIN ANALYZE, quiet, at the seed's clock): " + plans.map((p) => `${p.name}: ${p.summary}`).join("; ") + ".",
      "",
      `**Busy** (${countedSeconds.toFixed(0)} s counted after ${(warmUpMs / 1000).toFixed(0)} s of warm-up: every end posting every ${AGENT_INTERVAL_MS / 1000} s through the ingest writer, ` +
        `${(figures.accepted / (seconds - warmUpMs / 1000)).toFixed(0)} samples/s accepted; the evaluation every 15 s, the roll-up every minute; a wall request every 2.75 s, the two paths taking turns; ${figures.failures.length} failures${figures.failures.length ? `: ${[...new Set(figures.failures)].slice(0, 3).join("; ")}` : ""}):`,
      "",
      "| what | n | p50 | p90 | max |",
      "| --- | ---: | ---: | ---: | ---: |",
      row("GET /api/v1/noc after the request arrives, a snapshot read per request (before)", figures.cold),
      row("the same, from the kept snapshot (now)", figures.kept),
      row("… of which the session check (before)", figures.coldAuth),
      row("… of which the session check (now)", figures.keptAuth),
      row("… of which the snapshot (before: a read)", figures.coldSnapshot),
      row("… of which the snapshot (now: kept)", figures.keptSnapshot),
      row("how old the kept snapshot was when served (now − generatedAt)", figures.ages),
      row("an agent's post (ingestSamples)", figures.posts),
      row("a warning-evaluation round", figures.evaluation),
      row("a roll-up", figures.rollup),
    ].join("\n");
  } finally {
    await forgetNocSnapshot(handle.db);
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
