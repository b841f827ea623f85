/** What the views benchmark measures, and the section of docs/benchmarks.md it writes. */
import os from "node:os";
import { NOC_SHARE_MS } from "@/lib/queries/noc";
import type { RouteWeight } from "./first-load-js";
import { TENANTS, TUNNELS_PER_TENANT, type WallSeed } from "./views-fixture";

export const REFRESHES = 120;
export const VIEWPORT = { width: 1920, height: 1080 };

export type FirstRender = { tilesMs: number; hydratedMs: number; responseStartMs: number; fcpMs: number; htmlBytes: number };
export type Refresh = { parseMs: number; commitMs: number; paintedMs: number };
export type HeapSample = { refreshes: number; usedMb: number; nodes: number; listeners: number };
export type ServerRead = { ttfbMs: number; totalMs: number };

export type ViewsFigures = {
  tiles: number;
  /** Of them, the tiles the wall draws (problems first; healthy ones that do not fit are counted on one tile). */
  drawnTiles: number;
  snapshotBytes: number;
  snapshotGzipBytes: number;
  seedSeconds: number;
  seed: WallSeed;
  firstRenders: FirstRender[];
  refreshes: Refresh[];
  heap: HeapSample[];
  serverReads: ServerRead[];
  routes: RouteWeight[];
  bare: RouteWeight & { built: boolean };
};

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const p90 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? NaN;
};
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function renderViews(f: ViewsFigures, loadBefore: number): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const pick = (key: keyof FirstRender) => median(f.firstRenders.map((r) => r[key]));
  const server = median(f.serverReads.map((r) => r.totalMs));
  const commit = median(f.refreshes.map((r) => r.commitMs));
  const painted = median(f.refreshes.map((r) => r.paintedMs));
  const heapAt = (n: number) => f.heap.find((h) => h.refreshes === n) ?? f.heap.at(-1)!;
  const [start, middle, end] = [heapAt(0), heapAt(REFRESHES / 2), heapAt(REFRESHES)];
  const bareGzip = f.bare.gzipBytes;
  const heavy = (w: RouteWeight) =>
    w.chunks
      .slice(0, 3)
      .map((c) => `${kib(c.gzipBytes)}${c.libraries.length ? ` (${c.libraries.join(", ")})` : ""}`)
      .join(", ");
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${loadBefore.toFixed(1)} at the start; ` +
      `Chromium (Debian, headless, no GPU) at ${VIEWPORT.width}×${VIEWPORT.height} and the console on the production build, on PGlite, sharing the machine. ` +
      `The wall shows ${f.tiles} tunnels (${TENANTS * TUNNELS_PER_TENANT} seeded with an hour of 1-minute roll-ups, the rest the demo's); ` +
      `its snapshot is ${kib(f.snapshotBytes)} of JSON, ${kib(f.snapshotGzipBytes)} gzipped. Seeding took ${f.seedSeconds.toFixed(0)} s.`,
    "",
    `**The warning evaluation at this scale:** its first round (every tenant new) took ${(f.seed.evaluationMs / 1000).toFixed(1)} s over an hour of 30-second samples from ` +
      `${2 * TENANTS * TUNNELS_PER_TENANT} endpoints (${f.seed.rawRows} rows), with PGlite in its own thread (the console's event loop stays free meanwhile; the scale section below measures it). ` +
      `The figures below are taken with the hour kept as roll-ups and only a few raw samples, where a round took ${(f.seed.evaluationTrimmedMs / 1000).toFixed(1)} s.`,
    "",
    "| NOC wall | median | p90 / spread | aim |",
    "| --- | ---: | ---: | --- |",
    `| first render: navigation → all ${f.drawnTiles} tiles drawn (of ${f.tiles} tunnels) in the DOM (HTML of the page, ${kib(pick("htmlBytes"))}) | ${ms(pick("tilesMs"))} | ${f.firstRenders.map((r) => r.tilesMs.toFixed(0)).join(" / ")} ms | |`,
    `| first render: navigation → tiles hydrated by React | ${ms(pick("hydratedMs"))} | ${f.firstRenders.map((r) => r.hydratedMs.toFixed(0)).join(" / ")} ms | |`,
    `| (navigation → first byte of the HTML; → first contentful paint) | ${ms(pick("responseStartMs"))}; ${ms(pick("fcpMs"))} | | |`,
    `| GET /api/v1/noc on the server, cold (${f.serverReads.length} reads, each past the ${NOC_SHARE_MS / 1000} s sharing window) | ${ms(server)} | ${ms(p90(f.serverReads.map((r) => r.totalMs)))} | |`,
    `| one refresh in the page: response → JSON parsed | ${ms(median(f.refreshes.map((r) => r.parseMs)))} | ${ms(p90(f.refreshes.map((r) => r.parseMs)))} | |`,
    `| one refresh in the page: response → every tile's DOM updated (React commit) | ${ms(commit)} | ${ms(p90(f.refreshes.map((r) => r.commitMs)))} | < 100 ms |`,
    `| one refresh in the page: response → next frame painted | ${ms(painted)} | ${ms(p90(f.refreshes.map((r) => r.paintedMs)))} | |`,
    `| a refresh in all: server read + response → painted | ${ms(server + painted)} | | |`,
    "",
    `Heap after a forced GC over ${REFRESHES} refreshes (30 minutes of the wall's 15 s interval, every clock tick included), every refresh re-rendering every tile: ` +
      `${start.usedMb.toFixed(1)} MB at the start, ${middle.usedMb.toFixed(1)} MB after ${middle.refreshes}, ${end.usedMb.toFixed(1)} MB after ${end.refreshes} ` +
      `(DOM nodes ${start.nodes} → ${middle.nodes} → ${end.nodes}; listeners ${start.listeners} → ${end.listeners}). Every sample: ${f.heap.map((h) => h.usedMb.toFixed(1)).join(", ")} MB.`,
    "",
    `First-load JavaScript: every script the route loads until the network is idle, gzip sizes computed from the bodies. The yardstick is a bare Next.js "hello" page built with the same Next, React and Turbopack (${kib(bareGzip)} in ${f.bare.scripts} scripts).`,
    "",
    "| route | scripts | JS | JS gzip | ÷ bare page | three largest (gzip) |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...f.routes.map((w) => `| ${w.route} | ${w.scripts} | ${kib(w.rawBytes)} | ${kib(w.gzipBytes)} | ${(w.gzipBytes / bareGzip).toFixed(2)}× | ${heavy(w)} |`),
    `| bare Next.js page | ${f.bare.scripts} | ${kib(f.bare.rawBytes)} | ${kib(bareGzip)} | 1.00× | ${heavy(f.bare)} |`,
  ].join("\n");
}
