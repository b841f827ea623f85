// Loaded into a console under benchmark with `node --import ./bench/event-loop-probe.mjs`: records
// the process's event-loop delay (perf_hooks.monitorEventLoopDelay) and writes the histogram to
// BENCH_EVENT_LOOP_FILE every second. SIGUSR2 starts the measured window afresh (the warm-up is
// left out). Nothing in the console knows it is there. Beside the histogram, the garbage
// collector's pauses by kind (count, total, longest): what a long stall was when it was no code.
// And every stall over BENCH_STALL_MS (150): when it ended (wall clock, and the monotonic clock a
// --cpu-prof profile's timestamps use, so bench/cpu-profile.mjs --stalls can show what ran), how
// long, the GC pauses inside it, and the machine's load average then. And, from the kernel's
// scheduler statistics of the console's main thread (/proc/self/task/<pid>/schedstat: time on a
// CPU, time runnable but waiting for one), how much of each stall the thread ran and how much it
// waited for a CPU, and the same over the window: time the thread spent waiting was not CPU work
// on the console's thread (the cores were held by other threads and processes).
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
  // A threshold that is not a positive number would make every tick a stall: the default then.
  const asked = Number(process.env.BENCH_STALL_MS);
  const STALL_MS = Number.isFinite(asked) && asked > 0 ? asked : 150;
  const TICK_MS = 10;
  let stalls = [];
  let lastTick = performance.now();
  // The main thread's id is the process's. Null where the kernel keeps no such statistics.
  const schedstatFile = `/proc/self/task/${process.pid}/schedstat`;
  const readSched = () => {
    try {
      const [ranNs, waitedNs] = fs.readFileSync(schedstatFile, "utf8").split(" ").map(Number);
      // A kernel that keeps no scheduler statistics may still have the file, reading "0 0 0": the
      // thread has run by the time this loads, so zero time on a CPU means no figures.
      return Number.isFinite(ranNs) && Number.isFinite(waitedNs) && ranNs > 0 ? { ranNs, waitedNs } : null;
    } catch {
      return null;
    }
  };
  let schedAtStart = readSched();
  let lastSched = schedAtStart;
  setInterval(() => {
    const now = performance.now();
    const lateMs = now - lastTick - TICK_MS;
    lastTick = now;
    // Read on every tick, so a stall's figures cover the stall and one tick before it, no more.
    const sched = schedAtStart ? readSched() : null;
    const previousSched = lastSched;
    lastSched = sched;
    if (lateMs < STALL_MS) return;
    stalls.push({
      at: new Date(performance.timeOrigin + now).toISOString(),
      // µs on CLOCK_MONOTONIC, as V8's profiler stamps its samples.
      endMonoUs: Number(process.hrtime.bigint() / 1000n),
      ms: Math.round(lateMs),
      startPerf: now - lateMs - TICK_MS,
      endPerf: now,
      load1: os.loadavg()[0],
      // Between this tick's reading and the last one: the stall and the tick before it. Of that
      // window, the thread on a CPU, runnable but waiting for one, and neither (asleep: a lock, a
      // system call). The kernel's own figure moves in steps of a few ms: read ±5 ms.
      windowMs: Math.round(lateMs + TICK_MS),
      ranMs: sched && previousSched ? Math.round((sched.ranNs - previousSched.ranNs) / 1e6) : null,
      waitedMs: sched && previousSched ? Math.round((sched.waitedNs - previousSched.waitedNs) / 1e6) : null,
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
      // The main thread over the window, from the scheduler: on a CPU, and runnable but waiting for one.
      mainThread: (() => {
        const sched = readSched();
        return sched && schedAtStart ? { ranMs: Math.round((sched.ranNs - schedAtStart.ranNs) / 1e6), waitedMs: Math.round((sched.waitedNs - schedAtStart.waitedNs) / 1e6) } : null;
      })(),
      rssBytes: process.memoryUsage().rss,
      gc,
      stallMs: STALL_MS,
      stalls: stalls.map(({ startPerf, endPerf, ...rest }) => ({
        ...rest,
        sleptMs: rest.ranMs === null ? null : Math.max(0, rest.windowMs - rest.ranMs - rest.waitedMs),
      })),
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    fs.renameSync(`${file}.tmp`, file);
  };
  process.on("SIGUSR2", () => {
    histogram.reset();
    schedAtStart = readSched();
    gc = {};
    stalls = [];
    since = Date.now();
  });
  setInterval(write, 1000).unref();
}

// With BENCH_ALLOCATION_FILE: what allocates. V8's sampling heap profiler (through node:inspector,
// on this thread; the same-thread session answers synchronously) records the stack of an
// allocation about every BENCH_ALLOCATION_INTERVAL bytes (32768), counting the objects the
// collector has freed too (includeObjectsCollectedBy…GC: without them the profile shows only what
// is still alive, and young garbage, the scavenges' cause, would not be there). Every
// BENCH_ALLOCATION_WRITE_S (30) the sampling is stopped and started again, its tree added to the
// one kept here, and that written (.heapprofile, Chrome DevTools' format, plus the window it
// covers) for bench/allocation-profile.mjs: V8 keeps every sample of a session until it stops.
// Reading a profile costs the thread: V8's inspector forces a full, non-incremental collection
// before each answer (0.5–1 s in a loaded console at 10,000 tunnels; folding every 5 s made 12 of
// them a minute), plus about 2 µs a sample. So with this set, the run's GC and event-loop figures
// are not the console's own: the bytes are what to read. SIGUSR2 starts afresh, as for the
// histogram; BENCH_ALLOCATION_SECONDS after it the last tree is written and the sampling stops
// (the scale benchmark's measured minutes, not what it runs after them).
const allocationFile = process.env.BENCH_ALLOCATION_FILE;
if (allocationFile && isMainThread) {
  // Loaded only when asked: without it the probe is what it was (a Node built without the inspector runs it too).
  const { Session } = await import("node:inspector");
  const session = new Session();
  session.connect();
  const post = (method, params) => {
    let answer;
    let failure;
    session.post(method, params, (error, result) => {
      failure = error;
      answer = result;
    });
    if (failure) throw new Error(`${method}: ${failure.message}`);
    return answer;
  };
  const SAMPLING = { samplingInterval: Number(process.env.BENCH_ALLOCATION_INTERVAL ?? 32_768), includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  const WINDOW_S = Number(process.env.BENCH_ALLOCATION_SECONDS ?? Infinity);
  const frameKey = (f) => `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
  const emptyNode = (callFrame) => ({ callFrame, selfSize: 0, children: new Map() });
  let tree = emptyNode({ functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 });
  let since = Date.now();
  let sampling = true;
  const addTree = (into, node) => {
    into.selfSize += node.selfSize;
    for (const child of node.children) {
      const key = frameKey(child.callFrame);
      let mine = into.children.get(key);
      if (!mine) into.children.set(key, (mine = emptyNode(child.callFrame)));
      addTree(mine, child);
    }
  };
  // Each period's own tree is written too (<file>-part<n>.heapprofile): what ran once (a first
  // evaluation round reading every window) and what runs all the time look alike in the sum.
  let periodStart = since;
  let part = 0;
  const writeFile = (name, profile) => {
    fs.writeFileSync(`${name}.tmp`, JSON.stringify(profile));
    fs.renameSync(`${name}.tmp`, name);
  };
  const windowOf = (from, at) => ({ pid: process.pid, since: new Date(from).toISOString(), at: new Date(at).toISOString(), seconds: (at - from) / 1000, samplingInterval: SAMPLING.samplingInterval });
  const fold = () => {
    if (!sampling) return;
    const head = post("HeapProfiler.stopSampling").profile.head;
    post("HeapProfiler.startSampling", SAMPLING);
    addTree(tree, head);
    const at = Date.now();
    writeFile(allocationFile.replace(/(\.heapprofile)?$/, `-part${++part}.heapprofile`), { head, samples: [], window: windowOf(periodStart, at) });
    periodStart = at;
  };
  const writeProfile = () => {
    let id = 0;
    const plain = (node) => ({ callFrame: node.callFrame, selfSize: node.selfSize, id: ++id, children: [...node.children.values()].map(plain) });
    writeFile(allocationFile, { head: plain(tree), samples: [], window: { ...windowOf(since, Date.now()), foldMs: cost } });
  };
  // What the probe itself held the thread for, folding (the forced collection included): written
  // beside the tree, so a run with the profiler says how much of its stalls were the profiler's.
  let cost = { count: 0, totalMs: 0, maxMs: 0 };
  const foldAndWrite = () => {
    if (!sampling) return;
    const start = performance.now();
    fold();
    const ms = performance.now() - start;
    cost = { count: cost.count + 1, totalMs: cost.totalMs + ms, maxMs: Math.max(cost.maxMs, ms) };
    writeProfile();
  };
  let endOfWindow;
  const startWindow = () => {
    clearTimeout(endOfWindow);
    if (Number.isFinite(WINDOW_S)) {
      endOfWindow = setTimeout(() => {
        foldAndWrite();
        post("HeapProfiler.stopSampling");
        sampling = false;
      }, WINDOW_S * 1000).unref();
    }
  };
  post("HeapProfiler.startSampling", SAMPLING);
  startWindow();
  // Writes counted from the window's start: with a window of whole minutes, the last falls at its end.
  const WRITE_MS = Number(process.env.BENCH_ALLOCATION_WRITE_S ?? 30) * 1000;
  let writes = setInterval(foldAndWrite, WRITE_MS).unref();
  process.on("SIGUSR2", () => {
    if (sampling) post("HeapProfiler.stopSampling");
    tree = emptyNode(tree.callFrame);
    cost = { count: 0, totalMs: 0, maxMs: 0 };
    since = Date.now();
    periodStart = since;
    part = 0;
    sampling = true;
    post("HeapProfiler.startSampling", SAMPLING);
    startWindow();
    clearInterval(writes);
    writes = setInterval(foldAndWrite, WRITE_MS).unref();
  });
  // The console leaves by process.exit: what it sampled since the last write, written synchronously.
  process.on("exit", foldAndWrite);
}
