// Loaded into a console under benchmark with `node --import ./bench/event-loop-probe.mjs`: records
// the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and writes the histogram to
// BENCH_EVENT_LOOP_FILE every second. SIGUSR2 starts the measured window afresh (the warm-up is
// left out). Nothing in the console knows it is there. Beside the histogram, the garbage
// collector's pauses by kind (count, total, longest): what a long stall was when it was no code.
import fs from "node:fs";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
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
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[entry.detail?.kind] ?? "other";
      const k = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count += 1;
      k.totalMs += entry.duration;
      k.maxMs = Math.max(k.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const write = () => {
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
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    fs.renameSync(`${file}.tmp`, file);
  };
  process.on("SIGUSR2", () => {
    histogram.reset();
    gc = {};
    since = Date.now();
  });
  setInterval(write, 1000).unref();
}
