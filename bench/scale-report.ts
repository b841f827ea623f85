/** The scale benchmark's section of docs/benchmarks.md (bench/scale.ts measures). */
import os from "node:os";
import type { LoopStats } from "./scale-fleet";
import type { Mixed, Rounds } from "./scale";

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The main thread's time on a CPU and waiting for one over the window, or — where the kernel keeps no figures. */
export function threadTime(loop: Pick<LoopStats, "mainThread">): string {
  return loop.mainThread ? `${seconds(loop.mainThread.ranMs)} / ${seconds(loop.mainThread.waitedMs)}` : "—";
}

/** The probe's stall threshold as the consoles reported it (bench/event-loop-probe.mjs); "the probe's threshold" when they differ or did not say. */
export function stallThreshold(loops: Pick<LoopStats, "stallMs">[]): string {
  const given = new Set(loops.map((l) => l.stallMs));
  const [only] = [...given];
  return given.size === 1 && only !== undefined ? `${only} ms` : "the probe's threshold";
}

const SHOWN_STALLS = 8;

/**
 * Each stall, longest first, the first eight: "221 ms (14 / 216 / 1)": of the stall and the
 * probe's tick before it, the thread's milliseconds on a CPU, waiting for one, and asleep.
 */
export function stallList(loop: Pick<LoopStats, "stalls">): string {
  const stalls = [...(loop.stalls ?? [])].sort((a, b) => b.ms - a.ms);
  if (stalls.length === 0) return "none";
  const shown = stalls
    .slice(0, SHOWN_STALLS)
    .map((s) => `${s.ms} ms${s.ranMs === null || s.ranMs === undefined ? "" : ` (${s.ranMs} / ${s.waitedMs} / ${s.sleptMs ?? "?"})`}`)
    .join(", ");
  return stalls.length > SHOWN_STALLS ? `${shown} and ${stalls.length - SHOWN_STALLS} more` : shown;
}

export function renderScale(rounds: Rounds[], mixed: Mixed[], run: { loadBefore: number; minutes: number; warmUpSeconds: number; ingestSeconds: number }): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const ms = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "—" : `${n.toFixed(0)} ms`);
  const loopAt = (l: LoopStats, p: string) => l.percentilesMs[p] ?? Number.NaN;
  const worst = (m: Mixed, pick: (l: LoopStats) => number) => Math.max(...m.loops.map(pick));
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${run.loadBefore.toFixed(1)} at the start (the machine is shared: ` +
      "other work ran beside the benchmark, so compare the figures within this run). PostgreSQL on loopback (fsync off), PGlite in a data folder, the consoles on the production build, " +
      `agents and the wall reader in the benchmark's process, Chromium for the first renders; ${run.minutes} measured minutes of mixed load after a ${run.warmUpSeconds} s warm-up, then ${run.ingestSeconds} s of ingest capacity.`,
    "",
    "**Mixed load** (agents post one sample every 10 s from both ends; the consoles' evaluation, roll-ups and retention run as in production; the wall reads `GET /api/v1/noc` every 5.5 s, so every read is cold):",
    "",
    `| | ${mixed.map((m) => `${m.label}, ${m.tunnels.toLocaleString("en")} tunnels, ${m.consoles} console${m.consoles > 1 ? "s" : ""}`).join(" | ")} | aim |`,
    `| --- | ${mixed.map(() => "---:").join(" | ")} | --- |`,
    `| agents posting (tunnels reporting) | ${mixed.map((m) => `${m.agents} (${m.agents / 2})`).join(" | ")} | every end |`,
    `| samples accepted per second (failed requests; turned away busy, 503; requests carrying a backlog) | ${mixed.map((m) => `${(m.posted / m.seconds).toFixed(0)} (${m.failed}; ${m.busy}; ${m.batched})`).join(" | ")} | ${mixed.map((m) => (m.agents / 10).toFixed(0)).join(" / ")} |`,
    `| POST /api/v1/telemetry p50 / p90 / p99 | ${mixed.map((m) => `${ms(percentile(m.ingestMs, 0.5))} / ${ms(percentile(m.ingestMs, 0.9))} / ${ms(percentile(m.ingestMs, 0.99))}`).join(" | ")} | |`,
    `| event-loop delay p50 / p99 (worst console) | ${mixed.map((m) => `${ms(worst(m, (l) => loopAt(l, "50")))} / ${ms(worst(m, (l) => loopAt(l, "99")))}`).join(" | ")} | p99 ≤ 50 ms |`,
    `| event-loop delay max (worst console) | ${mixed.map((m) => ms(worst(m, (l) => l.maxMs))).join(" | ")} | ≤ 200 ms |`,
    `| GET /api/v1/noc p50 / p90 (reads; failed) | ${mixed.map((m) => `${ms(percentile(m.nocMs, 0.5))} / ${ms(percentile(m.nocMs, 0.9))} (${m.nocMs.length}; ${m.nocFailed})`).join(" | ")} | ≤ 100 ms / ≤ 250 ms |`,
    `| snapshot size | ${mixed.map((m) => `${(m.snapshotBytes / 1024).toFixed(0)} KiB`).join(" | ")} | |`,
    `| wall first render: navigation → every tile of page 1 (tiles; three loads) | ${mixed.map((m) => `${ms(percentile(m.firstRenderMs, 0.5))} (${m.tilesOnFirstPage}; ${m.firstRenderMs.map((t) => t.toFixed(0)).join(" / ")})`).join(" | ")} | ≤ 1 s / ≤ 2 s |`,
    `| ingest capacity: agents' backlogs of 200 samples (bodies made before the window), 24 requests in flight for ${run.ingestSeconds} s: samples accepted per second (requests; refused; failed) | ${mixed.map((m) => `${(m.ingest.accepted / m.ingest.seconds).toFixed(0)} (${m.ingest.requests}; ${m.ingest.refused}; ${m.ingest.failed})${m.ingest.prepared ? "" : ", some bodies made in the window"}`).join(" | ")} | ≥ 5,000 / ≥ 20,000 |`,
    `| CPU during the ingest capacity, per cent of one core: benchmark; consoles; PostgreSQL | ${mixed.map((m) => `${m.ingest.cpu.bench.toFixed(0)} %; ${m.ingest.cpu.consoles.map((c) => `${c.toFixed(0)} %`).join(" + ")}; ${m.ingest.cpu.postgres === null ? "—" : `${m.ingest.cpu.postgres.toFixed(0)} %`}`).join(" | ")} | |`,
    `| console CPU | ${mixed.map((m) => m.cpuPercent.map((c) => `${c.toFixed(0)} %`).join(" + ")).join(" | ")} | |`,
    `| history written through ingest; rolled up by the maintenance job in | ${mixed.map((m) => `${m.historySamples.toLocaleString("en")}; ${((m.backlogMs ?? 0) / 1000).toFixed(1)} s`).join(" | ")} | ≤ 10 s at 1,000 on PGlite |`,
    `| the wall's sparklines: the whole hour from roll-ups (before) → closed minutes kept, open ones raw (now) | ${mixed.map((m) => (m.sparklineReadMs ? `${ms(m.sparklineReadMs.before)} → ${ms(m.sparklineReadMs.after)}` : "—")).join(" | ")} | |`,
    "",
    "**Event-loop delay, every console** (`perf_hooks.monitorEventLoopDelay`, 10 ms resolution, over the measured minutes):",
    "",
    `The last two columns are the kernel's account of the console's main thread (\`/proc/self/task/<pid>/schedstat\`): seconds on a CPU and seconds runnable but waiting for one over the window; then each stall over ${stallThreshold(mixed.flatMap((m) => m.loops))} (longest first), with how many milliseconds of it and the probe's 10-ms tick before it the thread ran, waited for a CPU, and slept (neither: a lock, a system call; the kernel's figures move in steps of a few ms). Time spent waiting or asleep was not CPU work on the console's thread.`,
    "",
    `| console | samples | p50 | p75 | p90 | p99 | p99.9 | max | main thread: ran / waited for a CPU | stalls: length (ran / waited / slept) |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...mixed.flatMap((m) =>
      m.loops.map(
        (l, i) =>
          `| ${m.label} #${i + 1} | ${l.count} | ${["50", "75", "90", "99", "99.9"].map((p) => ms(loopAt(l, p))).join(" | ")} | ${ms(l.maxMs)} | ${threadTime(l)} | ${stallList(l)} |`,
      ),
    ),
    "",
    "**Warning-evaluation rounds** (in-process, 15 minutes of 10-second samples behind every end; tenants due in brackets):",
    "",
    "| tunnels | database | first round (all new) | every tunnel reported | a tenth reported | nothing new |",
    "| ---: | --- | ---: | ---: | ---: | ---: |",
    ...rounds
      .sort((a, b) => a.database.localeCompare(b.database) || a.tunnels - b.tunnels)
      .map((r) => `| ${r.tunnels.toLocaleString("en")} | ${r.database} | ${ms(r.firstMs)} (${r.due[0]}) | ${ms(r.allMs)} (${r.due[1]}) | ${ms(r.tenthMs)} (${r.due[2]}) | ${ms(r.idleMs)} (${r.due[3]}) |`),
  ];
  return lines.join("\n");
}
