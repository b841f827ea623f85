/**
 * The views at fleet scale (issue 8), in Chromium against the real console on the production
 * build: a wall of 1,000 tunnels (500 tenants with two each, an hour of telemetry behind them)
 * beside the demo data the embedded mode seeds.
 *
 * - NOC first render: navigation start → every tile in the DOM, and → React has hydrated them.
 * - One refresh: the /api/v1/noc response arriving in the page → React's commit of the tiles, and
 *   → the next frame painted; the server's time for GET /api/v1/noc on its own (a cold read each
 *   time: reads within NOC_SHARE_MS share one snapshot, so they are spaced past it).
 * - Heap over 30 minutes of refreshes: the page's clock is Playwright's, advanced 15 s (one
 *   refresh interval, with every clock tick and timer in it) per refresh, 120 times; the heap is
 *   read after a forced GC every 10. Each refresh answers with the snapshot moved on a minute:
 *   every sparkline shifted, every RTT changed, the case where every tile re-renders (a real
 *   wall meets it once a minute, when the sparkline window moves).
 * - First-load JavaScript per route beside a bare Next.js page (bench/first-load-js.ts).
 *
 * PGlite is one process's: the data is written before the console opens the folder. The hour of
 * history is kept as roll-ups (what the wall reads) with few raw samples, running 15 minutes past
 * the seeding so the wall stays live for the whole run without 2,000 simulated agents loading
 * the machine (the demo's own fleet still posts for the demo tunnels). Why few raw samples: the
 * console's warning evaluation reads every raw sample of the last 4 hours every 15 s, which at
 * this scale holds the console's thread for seconds; the seeding times one such round over an
 * hour of raw samples and reports it beside the wall's figures.
 */
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { NOC_REFRESH_MS } from "@/lib/client/queries";
import { groupTiles, planWall } from "@/lib/noc/wall-plan";
import { NOC_SHARE_MS, type NocSnapshot } from "@/lib/queries/noc";
import { PERSONAS, signIn, type PersonaName } from "@/e2e/support/personas";
import { startConsole } from "@/tests/support/console-server";
import { seedWall, TENANTS, TUNNELS_PER_TENANT } from "./views-fixture";
import { movedOn, REFRESH_SCRIPT } from "./views-refresh";
import { median, REFRESHES, renderViews, VIEWPORT, type FirstRender, type HeapSample, type Refresh, type ServerRead, type ViewsFigures } from "./views-report";
import { freePortInRange, measureBareNext, measureRouteJs, waitFor, type RouteWeight } from "./first-load-js";

const FIRST_RENDERS = 3;
const HEAP_EVERY = 10;
const SERVER_READS = 20;
const TILE_SELECTOR = 'ul[aria-label="Tunnels"] > li';
/** Which persona loads each route (each may only see its own). */
const ROUTES: [string, PersonaName | null][] = [
  ["/signin", null],
  ["/admin", "admin"],
  ["/admin/tenants", "admin"],
  ["/admin/warnings", "admin"],
  ["/t/contoso", "alice"],
  ["/noc", "noc"],
];
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

export async function benchViews(): Promise<string> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `node scripts/start.mjs --build-only` first.");
  const loadBefore = os.loadavg()[0]!;
  const buildId = fs.readFileSync(path.join(".next", "BUILD_ID"), "utf8");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-views-"));
  try {
    console.log(`[bench] views: seeding ${TENANTS * TUNNELS_PER_TENANT} tunnels and an hour of telemetry…`);
    const seedStarted = performance.now();
    const seed = await seedWall(dataDir);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(`[bench]   one warning evaluation over ${seed.rawRows} raw samples: ${(seed.evaluationMs / 1000).toFixed(1)} s; over the trimmed fixture: ${(seed.evaluationTrimmedMs / 1000).toFixed(1)} s`);
    const app = await startConsoleOn(dataDir);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
    try {
      const figures = await measure(browser, app);
      // The console loads route code from .next as it goes: a rebuild under it measures a mixture.
      if (fs.readFileSync(path.join(".next", "BUILD_ID"), "utf8") !== buildId) throw new Error("The build in .next changed during the run (someone rebuilt); run the benchmark again.");
      return renderViews({ ...figures, seedSeconds, seed }, loadBefore);
    } finally {
      await browser.close();
      await app.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(browser: Browser, app: RunningConsole): Promise<Omit<ViewsFigures, "seedSeconds" | "seed">> {
  console.log("[bench] views: signing in the personas…");
  const sessions: Partial<Record<PersonaName, Awaited<ReturnType<BrowserContext["storageState"]>>>> = {};
  for (const persona of new Set(ROUTES.map(([, p]) => p).filter((p): p is PersonaName => p !== null))) {
    const context = await browser.newContext({ baseURL: app.origin, ignoreHTTPSErrors: true, viewport: VIEWPORT });
    const page = await context.newPage();
    await signIn(page, persona);
    await page.waitForURL(`**${PERSONAS[persona].home}`, { timeout: 60_000 });
    sessions[persona] = await context.storageState();
    await context.close();
  }
  const nocContext = () => browser.newContext({ baseURL: app.origin, ignoreHTTPSErrors: true, viewport: VIEWPORT, storageState: sessions.noc });
  const cookie = sessions.noc!.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const reader = serverReader(app, cookie);

  // The snapshot the wall starts from, and the yardstick for its size.
  const first = await reader.read();
  const snapshot = JSON.parse(first.body) as NocSnapshot;
  const tiles = snapshot.tiles.length;
  if (tiles < TENANTS * TUNNELS_PER_TENANT) throw new Error(`The wall has ${tiles} tunnels; the seed wrote ${TENANTS * TUNNELS_PER_TENANT}.`);
  // The tiles the wall draws at this size: problems first, healthy ones that do not fit counted on one tile.
  const groups = groupTiles(snapshot.tiles);
  const plan = planWall({ ...VIEWPORT, problems: groups.problems.length, healthy: groups.healthy.length, rotate: false, page: 0 });
  const drawn = plan.problems.end - plan.problems.start + plan.healthy.end - plan.healthy.start;

  console.log(`[bench] views: NOC first render (${FIRST_RENDERS} loads, ${drawn} of ${tiles} tunnels drawn)…`);
  const firstRenders: FirstRender[] = [];
  for (let i = 0; i < FIRST_RENDERS; i++) {
    await reader.waitUntilCold();
    const context = await nocContext();
    try {
      firstRenders.push(await firstRender(context, drawn));
      reader.markServerRead();
      const r = firstRenders.at(-1)!;
      console.log(`[bench]   load ${i + 1}: first byte ${r.responseStartMs.toFixed(0)} ms, all tiles ${r.tilesMs.toFixed(0)} ms, hydrated ${r.hydratedMs.toFixed(0)} ms`);
    } finally {
      await context.close();
    }
  }

  console.log(`[bench] views: ${REFRESHES} refreshes and ${SERVER_READS} cold server reads…`);
  const { refreshes, heap, serverReads } = await refreshRun(await nocContext(), snapshot, drawn, reader);

  console.log("[bench] views: first-load JavaScript per route…");
  const routes: RouteWeight[] = [];
  for (const [route, persona] of ROUTES) {
    const context = await browser.newContext({ baseURL: app.origin, ignoreHTTPSErrors: true, viewport: VIEWPORT, storageState: persona ? sessions[persona] : undefined });
    try {
      routes.push(await measureRouteJs(context, app.origin, route));
    } finally {
      await context.close();
    }
  }
  const bare = await measureBareNext(browser);
  return {
    tiles,
    drawnTiles: drawn,
    snapshotBytes: Buffer.byteLength(first.body),
    snapshotGzipBytes: zlib.gzipSync(first.body).byteLength,
    firstRenders,
    refreshes,
    heap,
    serverReads,
    routes,
    bare,
  };
}

/**
 * Watches the document from its first byte: when the last tile arrives (the wall is rendered on
 * the server, so that is HTML parsing) and when React has hydrated it (its fiber is on the node).
 */
const FIRST_RENDER_SCRIPT = (expected: number) => `(() => {
  const w = (window.__wall = { tilesAt: null, hydratedAt: null });
  const observer = new MutationObserver(() => {
    // Server-rendered tiles arrive in a hidden element first, then are moved into the page.
    const list = document.querySelector('ul[aria-label="Tunnels"]');
    if (list && list.checkVisibility() && document.querySelectorAll(${JSON.stringify(TILE_SELECTOR)}).length >= ${expected}) {
      w.tilesAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  const hydrated = () => {
    const tiles = document.querySelectorAll(${JSON.stringify(TILE_SELECTOR)});
    const last = tiles[tiles.length - 1];
    if (tiles.length >= ${expected} && last && Object.keys(last).some((k) => k.startsWith("__reactFiber$"))) w.hydratedAt = performance.now();
    else requestAnimationFrame(hydrated);
  };
  requestAnimationFrame(hydrated);
})();`;

async function firstRender(context: BrowserContext, tiles: number): Promise<FirstRender> {
  await context.addInitScript(FIRST_RENDER_SCRIPT(tiles));
  const page = await context.newPage();
  await page.goto("/noc", { waitUntil: "load", timeout: 120_000 });
  // Polled through evaluate: the console's CSP forbids the string evaluation waitForFunction uses in the page.
  await waitFor(
    async () => (await page.evaluate("window.__wall.hydratedAt !== null && window.__wall.tilesAt !== null")) === true,
    120_000,
    () => "the wall did not draw its tiles and hydrate within 120 s",
  );
  const result = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { tilesMs: window.__wall.tilesAt, hydratedMs: window.__wall.hydratedAt, responseStartMs: nav.responseStart, fcpMs: fcp ? fcp.startTime : NaN, htmlBytes: nav.decodedBodySize };
  })()`)) as FirstRender;
  await page.close();
  return result;
}

async function refreshRun(context: BrowserContext, base: NocSnapshot, tiles: number, reader: ServerReader) {
  await context.addInitScript(REFRESH_SCRIPT);
  const page = await context.newPage();
  await page.clock.install();
  let step = 0;
  await page.route("**/api/v1/noc", async (route) => {
    step += 1;
    const at = new Date(Number(await page.evaluate("Date.now()")));
    await route.fulfill({ status: 200, contentType: "application/json", headers: { "cache-control": "no-store" }, body: JSON.stringify(movedOn(base, step, at)) });
  });
  await page.goto("/noc", { waitUntil: "load", timeout: 120_000 });
  await waitFor(async () => Number(await page.evaluate(`document.querySelectorAll(${JSON.stringify(TILE_SELECTOR)}).length`)) >= tiles, 120_000, () => "the wall did not render its tiles");
  // The query refetches on mount when the server's snapshot is already stale: let that settle first.
  await page.waitForLoadState("networkidle");
  reader.markServerRead();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heapSample = async (refreshes: number): Promise<HeapSample> => {
    await cdp.send("HeapProfiler.collectGarbage");
    const usage = await cdp.send("Runtime.getHeapUsage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return { refreshes, usedMb: usage.usedSize / 2 ** 20, nodes: metric("Nodes"), listeners: metric("JSEventListeners") };
  };

  const refreshes: Refresh[] = [];
  const heap: HeapSample[] = [await heapSample(0)];
  const serverReads: ServerRead[] = [];
  // Cold server reads go in the gaps the shared snapshot imposes; the page's refreshes never reach the server.
  while (refreshes.length < REFRESHES || serverReads.length < SERVER_READS) {
    if (serverReads.length < SERVER_READS && reader.isCold()) {
      serverReads.push(await reader.read());
      continue;
    }
    if (refreshes.length >= REFRESHES) {
      await reader.waitUntilCold();
      continue;
    }
    refreshes.push(await oneRefresh(page));
    if (refreshes.length % HEAP_EVERY === 0) {
      heap.push(await heapSample(refreshes.length));
      const last = refreshes.slice(-HEAP_EVERY);
      console.log(
        `[bench]   ${refreshes.length} refreshes: commit ${median(last.map((r) => r.commitMs)).toFixed(0)} ms, painted ${median(last.map((r) => r.paintedMs)).toFixed(0)} ms, ` +
          `heap ${heap.at(-1)!.usedMb.toFixed(1)} MB; ${serverReads.length} server reads` +
          (serverReads.length ? `, median ${median(serverReads.map((r) => r.totalMs)).toFixed(0)} ms` : ""),
      );
    }
  }
  await context.close();
  return { refreshes, heap, serverReads };
}

async function oneRefresh(page: Page): Promise<Refresh> {
  const before = Number(await page.evaluate("window.__wall.responses.length"));
  await page.clock.runFor(NOC_REFRESH_MS);
  const read = `(() => {
    const w = window.__wall;
    const response = w.responses[${before}];
    if (!response || response.parsedAt === null) return null;
    const commit = w.commits.find((t) => t >= response.parsedAt);
    const painted = commit === undefined ? undefined : w.painted.find((t) => t >= commit);
    return painted === undefined ? null : { parseMs: response.parsedAt - response.at, commitMs: commit - response.at, paintedMs: painted - response.at };
  })()`;
  let result: Refresh | null = null;
  await waitFor(async () => (result = (await page.evaluate(read)) as Refresh | null) !== null, 30_000, () => "a refresh did not reach the tiles within 30 s", 15);
  return result!;
}

type ServerReader = ReturnType<typeof serverReader>;

/** GET /api/v1/noc from here, as the signed-in NOC persona, on one kept-alive connection. */
function serverReader(app: RunningConsole, cookie: string) {
  const agent = new https.Agent({ keepAlive: true, ca: app.ca, maxSockets: 1 });
  let lastRead = -Infinity;
  const gap = NOC_SHARE_MS + 250;
  return {
    isCold: () => performance.now() - lastRead >= gap,
    markServerRead: () => (lastRead = performance.now()),
    async waitUntilCold() {
      const wait = lastRead + gap - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
    read(): Promise<ServerRead & { body: string }> {
      lastRead = performance.now();
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const request = https.request(`${app.origin.replace("localhost", "127.0.0.1")}/api/v1/noc`, { agent, headers: { cookie, accept: "application/json", host: new URL(app.origin).host }, servername: "localhost" }, (response) => {
          const ttfbMs = performance.now() - started;
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (response.statusCode !== 200) reject(new Error(`GET /api/v1/noc answered ${response.statusCode}: ${body.slice(0, 300)}`));
            else resolve({ ttfbMs, totalMs: performance.now() - started, body });
          });
          response.on("error", reject);
        });
        request.on("error", reject);
        request.end();
      });
    },
  };
}

type RunningConsole = { origin: string; ca: Buffer; stop(): Promise<void> };

/** The console (tests/support/console-server.ts) in the embedded mode (built-in sign-in, emulator, demo data), on the prepared data folder. */
async function startConsoleOn(dataDir: string): Promise<RunningConsole> {
  const port = await freePortInRange(3400, 3499);
  const origin = `https://localhost:${port}`;
  // The console's log, kept for a look when a figure is odd.
  const log = fs.createWriteStream(path.join(os.tmpdir(), "bridgehead-bench-views-console.log"));
  const server = await startConsole({ PUBLIC_URL: origin, NEXT_TELEMETRY_DISABLED: "1" }, { dataDir, port, log });
  return {
    origin,
    ca: server.ca,
    async stop() {
      const code = await server.stop();
      log.end();
      if (code !== 0) throw new Error(`console exited with ${code}:\n${server.output().slice(-2000)}`);
    },
  };
}
