// Reads a V8 .cpuprofile (`node --cpu-prof`, e.g. BENCH_CONSOLE_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=/tmp/prof") and says what held the thread: self and total time per function
// and per file, and the longest runs of samples without an idle one between them, which are the
// tasks that kept the event loop from turning (what monitorEventLoopDelay's maximum sees).
//
//   node bench/cpu-profile.mjs /tmp/prof/CPU.…cpuprofile [--top 30] [--tasks 15] [--min-task-ms 50] [--from S] [--to S]
// (--from/--to: only the samples between S seconds after the profile's start and S seconds, e.g.
// the measured minutes of a benchmark without the process's start-up.)
//   … --stalls stalls.json [--pid N]: the event-loop probe's stalls (BENCH_STALLS_FILE of the scale
// benchmark; both clocks are CLOCK_MONOTONIC), each with what the profile sampled inside it.
import fs from "node:fs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const file = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const stallsAt = args.indexOf("--stalls");
const STALLS_FILE = stallsAt >= 0 ? args[stallsAt + 1] : null;
if (!file) {
  console.error("usage: node bench/cpu-profile.mjs <file.cpuprofile> [--top N] [--tasks N] [--min-task-ms MS]");
  process.exit(2);
}
const TOP = option("--top", 30);
const TASKS = option("--tasks", 15);
const MIN_TASK_MS = option("--min-task-ms", 50);
const FROM_S = option("--from", 0);
const TO_S = option("--to", Infinity);

const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// A sample's time is the gap to the next sample (the last one gets the mean).
const { samples, timeDeltas } = profile;
const meanDelta = (profile.endTime - profile.startTime) / Math.max(1, samples.length);
const sampleUs = samples.map((_, i) => (i + 1 < timeDeltas.length ? Math.max(0, timeDeltas[i + 1]) : meanDelta));
// Seconds since the profile's start of each sample; those outside --from/--to count as nothing.
const sampleAtS = [];
{
  let t = 0;
  for (let i = 0; i < samples.length; i++) sampleAtS.push((t += timeDeltas[i]) / 1e6);
}
const inRange = (i) => sampleAtS[i] >= FROM_S && sampleAtS[i] < TO_S;

const shortUrl = (url) => {
  if (!url) return "(native)";
  const u = url.replace(/^file:\/\//, "");
  const modules = u.lastIndexOf("node_modules/");
  if (modules >= 0) return u.slice(modules + "node_modules/".length);
  const next = u.indexOf(".next/");
  if (next >= 0) return u.slice(next);
  return u.replace(/^.*\/work\/[^/]+\/[^/]+\//, "");
};
const frameName = (node) => {
  const f = node.callFrame;
  return `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
};
const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);
const isIdle = (node) => node.callFrame.functionName === "(idle)";

// The stack of a node as a list of frame names, root first (root itself left out).
const stackCache = new Map();
function stackOf(id) {
  let stack = stackCache.get(id);
  if (stack) return stack;
  stack = [];
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at);
    if (node.callFrame.functionName !== "(root)") stack.push(frameName(node));
  }
  stack.reverse();
  stackCache.set(id, stack);
  return stack;
}

const self = new Map();
const total = new Map();
const selfByFile = new Map();
let busyUs = 0;
let idleUs = 0;
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
samples.forEach((id, i) => {
  if (!inRange(i)) return;
  const node = byId.get(id);
  const us = sampleUs[i];
  if (isIdle(node)) {
    idleUs += us;
    return;
  }
  busyUs += us;
  add(self, frameName(node), us);
  add(selfByFile, SPECIAL.has(node.callFrame.functionName) ? node.callFrame.functionName : shortUrl(node.callFrame.url), us);
  // Total: each frame once per sample, however often it recurs in the stack.
  for (const frame of new Set(stackOf(id))) add(total, frame, us);
});

const ms = (us) => (us / 1000).toFixed(1).padStart(9);
const pct = (us) => `${((us / busyUs) * 100).toFixed(1).padStart(5)} %`;
const table = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(us)} ms ${pct(us)}  ${key}`);
};

const wallUs = Math.min(profile.endTime - profile.startTime, TO_S * 1e6) - FROM_S * 1e6;
console.log(`${file}\n${(wallUs / 1e6).toFixed(1)} s profiled, ${samples.length} samples; busy ${(busyUs / 1e6).toFixed(1)} s (${((busyUs / wallUs) * 100).toFixed(0)} %), idle ${(idleUs / 1e6).toFixed(1)} s`);
table("Self time by function (percent of busy time)", self, TOP);
table("Self time by file", selfByFile, TOP);
table("Total time by function (inclusive)", total, TOP);

// Long tasks: runs of consecutive samples with no idle one. Within one, the frames most of its
// samples went through say what it was.
const tasks = [];
let run = null;
samples.forEach((id, i) => {
  const node = byId.get(id);
  if (!inRange(i) || isIdle(node)) {
    if (run) tasks.push(run);
    run = null;
    return;
  }
  run ??= { first: i, last: i, us: 0 };
  run.last = i;
  run.us += sampleUs[i];
});
if (run) tasks.push(run);
const longTasks = tasks.filter((t) => t.us >= MIN_TASK_MS * 1000).sort((a, b) => b.us - a.us);
const histogram = [50, 100, 200, 500, 1000, Infinity].map((limit, k, all) => ({
  label: k === 0 ? `< ${limit}` : limit === Infinity ? `≥ ${all[k - 1]}` : `${all[k - 1]}–${limit}`,
  count: tasks.filter((t) => t.us / 1000 < limit && (k === 0 || t.us / 1000 >= all[k - 1])).length,
}));
console.log(`\nTasks (runs without idle) by length, ms: ${histogram.map((h) => `${h.label}: ${h.count}`).join(", ")}`);
console.log(`Longest ${Math.min(TASKS, longTasks.length)} of ${longTasks.length} tasks over ${MIN_TASK_MS} ms:`);
for (const task of longTasks.slice(0, TASKS)) {
  const inTask = new Map();
  const selfInTask = new Map();
  for (let i = task.first; i <= task.last; i++) {
    const us = sampleUs[i];
    for (const frame of new Set(stackOf(samples[i]))) add(inTask, frame, us);
    add(selfInTask, frameName(byId.get(samples[i])), us);
  }
  const at = sampleAtS[task.first].toFixed(1);
  console.log(`\n  ${(task.us / 1000).toFixed(0)} ms at +${at} s (${task.last - task.first + 1} samples)`);
  // The deepest frames that still cover most of the task name it best: list frames covering ≥ 20 %.
  const covering = [...inTask].filter(([, us]) => us >= task.us * 0.2).sort((a, b) => b[1] - a[1]);
  for (const [frame, us] of covering.slice(-12)) console.log(`    ${((us / task.us) * 100).toFixed(0).padStart(3)} % through ${frame}`);
  for (const [frame, us] of [...selfInTask].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`    ${((us / task.us) * 100).toFixed(0).padStart(3)} % self  ${frame}`);
}

// The probe's stalls, each with the frames that covered most of the samples inside it.
if (STALLS_FILE) {
  const PID = option("--pid", NaN);
  const consoles = JSON.parse(fs.readFileSync(STALLS_FILE, "utf8"));
  const stalls = consoles.filter((c) => Number.isNaN(PID) || c.pid === PID).flatMap((c) => c.stalls);
  const absoluteUs = [];
  {
    let t = profile.startTime;
    for (let i = 0; i < samples.length; i++) absoluteUs.push((t += timeDeltas[i]));
  }
  console.log(`\nStalls of the probe (${stalls.length}) against the profile (${profile.startTime}–${profile.endTime} µs):`);
  for (const stall of stalls) {
    const from = stall.endMonoUs - stall.ms * 1000 - 10_000;
    const inside = new Map();
    const selfInside = new Map();
    let sampled = 0;
    let idle = 0;
    // A long gap between two samples: the process was not running at all (the machine's other work).
    let gapUs = 0;
    for (let i = 0; i < samples.length; i++) {
      if (absoluteUs[i] < from || absoluteUs[i] > stall.endMonoUs) continue;
      gapUs = Math.max(gapUs, timeDeltas[i]);
      const node = byId.get(samples[i]);
      if (isIdle(node)) {
        idle += sampleUs[i];
        continue;
      }
      sampled += sampleUs[i];
      for (const frame of new Set(stackOf(samples[i]))) add(inside, frame, sampleUs[i]);
      add(selfInside, frameName(node), sampleUs[i]);
    }
    console.log(`\n  ${stall.ms} ms ending ${stall.at} (load ${stall.load1?.toFixed(1)}; gc inside ${stall.gc ? `${stall.gc.count}× ${stall.gc.ms} ms` : "?"}): busy ${(sampled / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms in the profile, longest gap between samples ${(gapUs / 1000).toFixed(0)} ms`);
    if (!sampled) continue;
    const covering = [...inside].filter(([, us]) => us >= sampled * 0.2).sort((a, b) => b[1] - a[1]);
    for (const [frame, us] of covering.slice(-14)) console.log(`    ${((us / sampled) * 100).toFixed(0).padStart(3)} % through ${frame}`);
    for (const [frame, us] of [...selfInside].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`    ${((us / sampled) * 100).toFixed(0).padStart(3)} % self  ${frame}`);
  }
}
