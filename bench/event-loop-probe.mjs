// Loaded into a console under benchmark with `node --import ./bench/event-loop-probe.mjs`: records
// the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and writes the histogram to
// BENCH_EVENT_LOOP_FILE every second. SIGUSR2 starts the measured window afresh (the warm-up is
// left out). Nothing in the console knows it is there.
import fs from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.BENCH_EVENT_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let since = Date.now();
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
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    fs.renameSync(`${file}.tmp`, file);
  };
  process.on("SIGUSR2", () => {
    histogram.reset();
    since = Date.now();
  });
  setInterval(write, 1000).unref();
}
