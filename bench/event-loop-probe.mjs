// Loaded into a console under benchmark with `node --import ./bench/event-loop-probe.mjs`: records
// the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and writes the histogram to
// BENCH_EVENT_LOOP_FILE every second. SIGUSR2 starts the measured window afresh (the warm-up is
// left out). Nothing in the console knows it is there. Beside the histogram, the garbage
// collector's pauses by kind (count, total, longest): what a long stall was when it was no code.
// And every stall over BENCH_STALL_MS (150): when it ended (wall clock, and the monotonic clock a
// --cpu-prof profile's timestamps use, so bench/cpu-profile.mjs --stalls can show what ran), how
// long, the GC pauses inside it, and the machine's load average then.
import fs from "node:fs";
import os from "node:os";
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";

const file = process.env.BENCH_EVENT_LOOP_FILE;
// The console's own thread only. `--import` also loads this into every worker thread (PGlite's
// among them), which then wrote its own histogram, never reset (signals reach only the main
// thread), to the same file: a reading was either thread's, whichever wrote last.
if (file && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let since = Date.now();
  const GC_KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: "minor", [constants.NODE_PERFORMANCE_GC_MAJOR]: "major", [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental", [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb" };
  let gc = {};
  // The last few seconds of GC pauses, to find those inside a stall. The observer is told of them
  // a turn or more after they happen, so stalls get theirs when the file is written.
  const recentGc = [];
  const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 150);
  const TICK_MS = 10;
  let stalls = [];
  let lastTick = performance.now();
  setInterval(() => {
    const now = performance.now();
    const lateMs = now - lastTick - TICK_MS;
    lastTick = now;
    if (lateMs < STALL_MS) return;
    stalls.push({
      at: new Date(performance.timeOrigin + now).toISOString(),
      // µs on CLOCK_MONOTONIC, as V8's profiler stamps its samples.
      endMonoUs: Number(process.hrtime.bigint() / 1000n),
      ms: Math.round(lateMs),
      startPerf: now - lateMs - TICK_MS,
      endPerf: now,
      load1: os.loadavg()[0],
      gc: null,
    });
  }, TICK_MS).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[entry.detail?.kind] ?? "other";
      recentGc.push({ kind, startPerf: entry.startTime, ms: entry.duration });
      const k = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count += 1;
      k.totalMs += entry.duration;
      k.maxMs = Math.max(k.maxMs, entry.duration);
    }
    const keepFrom = performance.now() - 30_000;
    while (recentGc.length && recentGc[0].startPerf < keepFrom) recentGc.shift();
  }).observe({ entryTypes: ["gc"] });
  const write = () => {
    const settled = performance.now() - 500;
    for (const stall of stalls) {
      if (stall.gc || stall.endPerf > settled) continue;
      const inside = recentGc.filter((g) => g.startPerf + g.ms > stall.startPerf && g.startPerf < stall.endPerf);
      stall.gc = { count: inside.length, ms: Math.round(inside.reduce((sum, g) => sum + g.ms, 0)), longest: inside.map((g) => `${g.kind} ${g.ms.toFixed(0)}`).sort((a, b) => Number(b.split(" ")[1]) - Number(a.split(" ")[1])).slice(0, 4) };
    }
    const ms = (ns) => ns / 1e6;
    const stats = {
      since,
      at: Date.now(),
      count: histogram.count,
      minMs: ms(histogram.min),
      meanMs: ms(histogram.mean),
      maxMs: ms(histogram.max),
      percentilesMs: Object.fromEntries([50, 75, 90, 95, 99, 99.9].map((p) => [String(p), histogram.count ? ms(histogram.percentile(p)) : 0])),
      cpuMicros: process.cpuUsage(),
      rssBytes: process.memoryUsage().rss,
      gc,
      stalls: stalls.map(({ startPerf, endPerf, ...rest }) => rest),
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    fs.renameSync(`${file}.tmp`, file);
  };
  process.on("SIGUSR2", () => {
    histogram.reset();
    gc = {};
    stalls = [];
    since = Date.now();
  });
  setInterval(write, 1000).unref();
}
