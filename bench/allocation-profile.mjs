// Reads a V8 sampling heap profile (.heapprofile: the event-loop probe's BENCH_ALLOCATION_FILE, e.g.
// the scale benchmark's BENCH_ALLOCATION_DIR, or one saved from DevTools) and says what allocated:
// bytes by function (self and inclusive), by file and by package, as a share of all bytes sampled
// and in MB/s over the window the probe wrote beside the tree. The probe counts garbage too, so
// these are the bytes the scavenger has to sweep, not what stays alive.
//
//   node bench/allocation-profile.mjs /tmp/alloc/console-1.heapprofile [--top 30] [--own 20] [--under TEXT]
// (--under: only what was allocated with a frame whose "name file:line" contains TEXT on its
// stack, e.g. --under acceptTelemetryBatch; percentages are then of those bytes.)
//
// Names: the production build's code (.next/…) is minified, so its frames are named through the
// chunk's source map (original name where the map has one, original file and line); files run by
// tsx (server.ts, lib/server/…, the jobs) keep their names and are placed by the line that
// declares that name (an anonymous one's line is "?": tsx's output is one line a file).
// "Nearest own frame": each allocation charged to the innermost frame of the project's own code
// (lib/, app/, components/, server.ts) on its stack; "outermost past the shared helpers": the
// request or job it belongs to. A stack starts at the last await, so what the driver parses off
// the socket has no own frame and stays under the driver.
import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const file = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
if (!file) {
  console.error("usage: node bench/allocation-profile.mjs <file.heapprofile> [--top N] [--own N] [--under TEXT]");
  process.exit(2);
}
const underAt = args.indexOf("--under");
/** Only the allocations with a frame whose "name file:line" contains this on their stack. */
const UNDER = underAt >= 0 ? args[underAt + 1] : null;
const TOP = option("--top", 30);
const OWN = option("--own", 20);

const profile = JSON.parse(fs.readFileSync(file, "utf8"));

// Source maps of the production build's chunks, read once each (null: none beside the chunk).
const maps = new Map();
const mapOf = (chunkPath) => {
  if (!maps.has(chunkPath)) {
    const mapPath = `${chunkPath}.map`;
    maps.set(chunkPath, fs.existsSync(mapPath) ? new SourceMap(JSON.parse(fs.readFileSync(mapPath, "utf8"))) : null);
  }
  return maps.get(chunkPath);
};
/** A path as a reader finds it: node_modules/<package>/…, lib/…, .next/…, node:internal/…. */
const readablePath = (p) => {
  const modules = p.lastIndexOf("node_modules/");
  if (modules >= 0) return p.slice(modules + "node_modules/".length);
  const next = p.indexOf(".next/");
  if (next >= 0) return p.slice(next);
  return p.replace(/^.*\/work\/[^/]+\/[^/]+\//, "");
};
// What a frame is, once per distinct call frame: { name, where (file:line), file, own }.
const frames = new Map();
const frameOf = (callFrame) => {
  const key = `${callFrame.functionName}\u0000${callFrame.url}\u0000${callFrame.lineNumber}\u0000${callFrame.columnNumber}`;
  let frame = frames.get(key);
  if (frame) return frame;
  const minified = callFrame.functionName || "(anonymous)";
  let name = minified;
  let where = callFrame.url || "(native)";
  // ES modules' frames carry a file: URL, CommonJS modules' (node_modules, the build's chunks) a plain path.
  const local = callFrame.url.startsWith("file://") ? fileURLToPath(callFrame.url) : path.isAbsolute(callFrame.url) ? callFrame.url : null;
  if (local) {
    where = readablePath(local);
    const map = local.includes("/.next/") ? mapOf(local) : null;
    const entry = map?.findEntry(callFrame.lineNumber, callFrame.columnNumber);
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(local), entry.originalSource);
      where = readablePath(source.replace(/^.*\[project\]\//, ""));
      name = entry.name && entry.name !== minified ? `${entry.name} (${minified})` : minified;
      frame = { name, file: where, where: `${where}:${entry.originalLine + 1}` };
    } else frame = { name, file: where, where: `${where}:${/\.tsx?$/.test(local) ? (tsxLine(local, minified) ?? "?") : callFrame.lineNumber + 1}` };
  } else frame = { name, file: where, where: callFrame.url ? `${where}:${callFrame.lineNumber + 1}` : where };
  frame.label = `${frame.name} ${frame.where}`;
  frame.own = /^(lib|app|components)\//.test(frame.file) || frame.file === "server.ts";
  frame.package = packageOf(frame.file);
  frames.set(key, frame);
  return frame;
};
/**
 * tsx runs TypeScript as one line of esbuild's output per file (names kept), so a frame's line
 * says nothing: the line that declares a named function instead, looked up in the source (null
 * for another file or an anonymous function).
 */
const sources = new Map();
function tsxLine(local, name) {
  if (!/\.tsx?$/.test(local) || name === "(anonymous)" || !/^[\w$]+$/.test(name)) return null;
  if (!sources.has(local)) sources.set(local, fs.existsSync(local) ? fs.readFileSync(local, "utf8").split("\n") : []);
  const declares = new RegExp(`(function\\*?\\s+${name}\\b|\\b${name}\\s*=\\s*(async\\s*)?(\\(|function|[\\w$]+\\s*=>)|^\\s*(public |private |static |async |get |set )*${name}\\s*[(<])`);
  const at = sources.get(local).findIndex((line) => declares.test(line));
  return at >= 0 ? at + 1 : null;
}

/** node_modules' package, node's own code, or the project's top folder (lib/<dir>). */
function packageOf(file) {
  if (file.startsWith("node:")) return "node (its own JavaScript)";
  if (file.startsWith("(")) return file;
  if (path.isAbsolute(file)) return path.dirname(file);
  if (file.startsWith(".next/")) return ".next (no source map)";
  const parts = file.split("/");
  if (/^(lib|app|components|bench|tests|scripts)$/.test(parts[0]) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  if (parts[0].startsWith("@")) return `${parts[0]}/${parts[1]}`;
  return parts[0] === file ? file : parts[0];
}

const HELPERS = /^lib\/(server\/(time-slices|group-commit|refreshing-value|background-loop)|queries\/read-in-pages)\.ts$/;

const self = new Map();
const inclusive = new Map();
const byFile = new Map();
const byPackage = new Map();
const nearestOwn = new Map();
const outermostOwn = new Map();
const outermostOwnFile = new Map();
let totalBytes = 0;
const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
// Depth first, the path of frames from the root kept as a stack.
const stack = [];
const visit = (node) => {
  const isRoot = node.callFrame.functionName === "(root)" && !node.callFrame.url;
  if (!isRoot) stack.push(frameOf(node.callFrame));
  const bytes = node.selfSize;
  if (bytes > 0 && stack.length && (!UNDER || stack.some((f) => f.label.includes(UNDER)))) {
    totalBytes += bytes;
    const leaf = stack.at(-1);
    add(self, leaf.label, bytes);
    add(byFile, leaf.file, bytes);
    add(byPackage, leaf.package, bytes);
    // Each frame once, however often it recurs in the stack.
    for (const label of new Set(stack.map((f) => f.label))) add(inclusive, label, bytes);
    const own = stack.filter((f) => f.own);
    // The outermost own frame that is not a helper every job runs through (slices, group commits,
    // pages): the slices' callbacks run from setImmediate, so forEachInSlices would name them all.
    const asked = own.find((f) => !HELPERS.test(f.file)) ?? own[0];
    // Without one, the outermost frame of a package (past node's own code: its event loop, streams,
    // timers; and V8's builtins) says whose it was.
    const none = () => `(no own frame) under ${(stack.find((f) => !f.file.startsWith("node:") && !f.file.startsWith("(")) ?? stack[0]).label}`;
    add(nearestOwn, own.length ? own.at(-1).label : none(), bytes);
    add(outermostOwn, asked ? asked.label : none(), bytes);
    add(outermostOwnFile, asked ? asked.file : `(no own frame) under ${(stack.find((f) => !f.file.startsWith("node:") && !f.file.startsWith("(")) ?? stack[0]).package}`, bytes);
  }
  for (const child of node.children ?? []) visit(child);
  if (!isRoot) stack.pop();
};
visit(profile.head);

const seconds = profile.window?.seconds;
const mb = (bytes) => (bytes / 1e6).toFixed(1).padStart(8);
const rate = (bytes) => (seconds ? `${(bytes / 1e6 / seconds).toFixed(2).padStart(6)} MB/s` : "");
const pct = (bytes) => `${((bytes / totalBytes) * 100).toFixed(1).padStart(5)} %`;
const table = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${mb(bytes)} MB ${rate(bytes)} ${pct(bytes)}  ${key}`);
};

const window = profile.window ? `, ${seconds.toFixed(0)} s from ${profile.window.since} (pid ${profile.window.pid}, a sample every ${profile.window.samplingInterval} bytes)` : " (no window: MB/s not known)";
console.log(`${file}${window}\n${(totalBytes / 1e6).toFixed(0)} MB allocated${UNDER ? ` under "${UNDER}"` : ""}${seconds ? `, ${(totalBytes / 1e6 / seconds).toFixed(1)} MB/s` : ""}`);
table("Self bytes by function (allocated in the function itself)", self, TOP);
table("Self bytes by file", byFile, TOP);
table("Self bytes by package (node_modules) or folder of the project", byPackage, TOP);
table("Inclusive bytes by function (the function and what it called)", inclusive, TOP);
table("By the nearest own frame (the project's code that asked, innermost)", nearestOwn, OWN);
table("By the outermost own frame past the shared helpers (the request or job, as far as the stack reaches)", outermostOwn, OWN);
table("By the outermost own frame's file", outermostOwnFile, OWN);
