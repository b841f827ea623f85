/**
 * The NOC wall's first render and refresh, two builds side by side (`npx tsx --require
 * ./scripts/server-only.cjs bench/views-wall.ts <other worktree>`): a reduced views benchmark
 * (bench/views.ts) for comparing a change to the wall against the build it replaces, in one run,
 * since this machine's load moves minute to minute.
 *
 * One seeded fleet (bench/views-fixture.ts: 1,000 tunnels, an hour of roll-ups) is copied for two
 * consoles, one on this worktree's build and one on the other's, both up at once. Loads alternate
 * between them (A B B A …), so both meet the same load; each first render is timed from
 * navigation to every tile in the DOM and to the next painted frame, and one more load per build
 * is traced to say where the time went. Refreshes run in alternating blocks, each answered with
 * the same snapshot moved on a minute (every tile's sparkline and RTT changed).
 * Screenshots of both at 1,000 tiles (the seeded fleet, then a fleet with problems) go to
 * BENCH_WALL_SHOTS (default /tmp/wall-shots).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { NOC_REFRESH_MS } from "@/lib/client/queries";
import { NOC_SHARE_MS, type NocSnapshot } from "@/lib/queries/noc";
import { PERSONAS, signIn } from "@/e2e/support/personas";
import { largeFleetSnapshot } from "@/e2e/support/wall-fleet";
import { freePortInRange, waitFor } from "./first-load-js";
import { seedWall } from "./views-fixture";
import { movedOn, REFRESH_SCRIPT } from "./views-refresh";
import { summarizeTrace, type TraceSummary } from "./views-wall-trace";
import { median, VIEWPORT } from "./views-report";

const LOADS = Number(process.env.BENCH_WALL_LOADS ?? 6);
/** BENCH_WALL_TUNNELS=10000 seeds 5,000 tenants without the hour of roll-ups (bench/views-fixture.ts). */
const TUNNELS = Number(process.env.BENCH_WALL_TUNNELS ?? 1_000);
/** The wall's link: `/noc?rotate=30` for a paged wall. */
const WALL_PATH = process.env.BENCH_WALL_PATH ?? "/noc";
/** BENCH_WALL_LARGE=0 skips the 10,000-tunnel snapshot served to the page. */
const LARGE = process.env.BENCH_WALL_LARGE !== "0";
const REFRESH_BLOCKS = Number(process.env.BENCH_WALL_BLOCKS ?? 3);
const REFRESHES_PER_BLOCK = 10;
const TILE_SELECTOR = 'ul[aria-label="Tunnels"] > li';
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const SHOTS = process.env.BENCH_WALL_SHOTS ?? "/tmp/wall-shots";

type Build = { name: string; root: string };
type Console = Build & { origin: string; stop(): Promise<void>; session?: Awaited<ReturnType<BrowserContext["storageState"]>>; lastRead: number };
type Load = { responseStartMs: number; responseEndMs: number; fcpMs: number; tilesMs: number; paintedMs: number; htmlBytes: number; transferBytes: number };
type Refresh = { commitMs: number; paintedMs: number };

const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))] ?? NaN;

async function main() {
  const other = process.argv[2];
  if (!other) throw new Error("Give the other worktree to compare with, e.g. /work/wt/base.");
  const builds: Build[] = [
    { name: "before", root: path.resolve(other) },
    { name: "after", root: process.cwd() },
  ];
  for (const b of builds) if (!fs.existsSync(path.join(b.root, ".next", "BUILD_ID"))) throw new Error(`No production build in ${b.root}: run \`node scripts/start.mjs --build-only\` there.`);
  const ids = builds.map((b) => fs.readFileSync(path.join(b.root, ".next", "BUILD_ID"), "utf8"));
  const load = () => os.loadavg().map((n) => n.toFixed(1)).join(" ");
  console.log(`[wall] load average ${load()}; seeding…`);
  const template = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-wall-seed-"));
  const dirs: string[] = [];
  const consoles: Console[] = [];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await seedWall(template, TUNNELS === 1_000 ? {} : { tenants: Math.ceil(TUNNELS / 2), hour: false });
    for (const b of builds) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bridgehead-wall-${b.name}-`));
      fs.cpSync(template, dir, { recursive: true });
      dirs.push(dir);
      consoles.push(await startConsoleIn(b, dir));
    }
    for (const c of consoles) c.session = await signInNoc(browser, c);
    const loadAtStart = load();
    console.log(`[wall] both consoles up; load average ${loadAtStart}`);

    const loads: Record<string, Load[]> = { before: [], after: [] };
    for (let i = 0; i < LOADS; i++) {
      // A B, B A, …: neither build always goes first.
      for (const c of i % 2 ? [...consoles].reverse() : consoles) {
        const r = await firstRender(browser, c);
        loads[c.name]!.push(r);
        console.log(`[wall]   ${c.name} load ${i + 1}: first byte ${r.responseStartMs.toFixed(0)}, tiles ${r.tilesMs.toFixed(0)}, painted ${r.paintedMs.toFixed(0)} ms (HTML ${(r.htmlBytes / 1024).toFixed(0)} KiB)`);
      }
    }
    const traces: Record<string, TraceSummary> = {};
    for (const c of consoles) traces[c.name] = await tracedRender(browser, c);

    const refreshes: Record<string, Refresh[]> = { before: [], after: [] };
    for (let block = 0; block < REFRESH_BLOCKS; block++) {
      for (const c of block % 2 ? [...consoles].reverse() : consoles) {
        const got = await refreshBlock(browser, c);
        refreshes[c.name]!.push(...got);
        console.log(`[wall]   ${c.name} refreshes: commit ${median(got.map((r) => r.commitMs)).toFixed(0)} ms, painted ${median(got.map((r) => r.paintedMs)).toFixed(0)} ms`);
      }
    }
    // 10,000 tunnels served to the page in place of the console's answer: what the browser does
    // with a snapshot that size (the wall draws a screenful, problems first, the rest counted).
    const large = largeFleetSnapshot({ tunnels: 10_000, now: new Date(), newestSampleAgeMs: 5_000 });
    const largeRefreshes: Record<string, Refresh[]> = { before: [], after: [] };
    for (const c of LARGE ? consoles : []) {
      const got = await refreshBlock(browser, c, large);
      largeRefreshes[c.name]!.push(...got);
      console.log(`[wall]   ${c.name} refreshes at 10,000: commit ${median(got.map((r) => r.commitMs)).toFixed(0)} ms, painted ${median(got.map((r) => r.paintedMs)).toFixed(0)} ms`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const c of consoles) await screenshots(browser, c);
    const loadAtEnd = load();
    for (const [i, b] of builds.entries()) {
      if (fs.readFileSync(path.join(b.root, ".next", "BUILD_ID"), "utf8") !== ids[i]) throw new Error(`The build in ${b.root} changed during the run; run again.`);
    }
    console.log(report(loads, refreshes, largeRefreshes, traces, loadAtStart, loadAtEnd));
  } finally {
    await browser.close();
    for (const c of consoles) await c.stop().catch((error: unknown) => console.error(`[wall] stopping ${c.name}:`, error));
    for (const dir of [template, ...dirs]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The console on a worktree's build (what tests/support/console-server.ts does, from another folder). */
async function startConsoleIn(build: Build, dataDir: string): Promise<Console> {
  const port = await freePortInRange(3400, 3499);
  const origin = `https://localhost:${port}`;
  const log = fs.createWriteStream(path.join(os.tmpdir(), `bridgehead-wall-${build.name}-console.log`));
  const child = spawn(process.execPath, ["--require", "./scripts/server-only.cjs", "--import", "tsx", "server.ts"], {
    cwd: build.root,
    env: { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: origin, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk;
    log.write(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let dead = false;
  void exited.then(() => (dead = true));
  await waitFor(
    async () => {
      if (dead) throw new Error(`the ${build.name} console exited before it was ready:\n${output.slice(-2000)}`);
      return output.includes("[bridgehead] ready on");
    },
    300_000,
    () => `the ${build.name} console did not start in 300 s:\n${output.slice(-2000)}`,
    250,
  );
  return {
    ...build,
    origin,
    lastRead: -Infinity,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      log.end();
    },
  };
}

async function signInNoc(browser: Browser, c: Console) {
  const context = await browser.newContext({ baseURL: c.origin, ignoreHTTPSErrors: true, viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await signIn(page, "noc");
    await page.waitForURL(`**${PERSONAS.noc.home}`, { timeout: 120_000 });
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** Each first render reads a cold snapshot, as the views benchmark does: reads within NOC_SHARE_MS share one. */
async function waitUntilCold(c: Console) {
  const wait = c.lastRead + NOC_SHARE_MS + 250 - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

const context = (browser: Browser, c: Console) => browser.newContext({ baseURL: c.origin, ignoreHTTPSErrors: true, viewport: VIEWPORT, storageState: c.session });

/** When the tiles are all in the DOM, and the frame after (a message posted from rAF runs after its paint). */
const FIRST_RENDER_SCRIPT = `(() => {
  const w = (window.__wall = { tilesAt: null, paintedAt: null });
  const channel = new MessageChannel();
  channel.port1.onmessage = () => { w.paintedAt = performance.now(); };
  const observer = new MutationObserver(() => {
    const list = document.querySelector('ul[aria-label="Tunnels"]');
    // Server-rendered tiles arrive in a hidden element first, then are moved into the page.
    if (!list || list.children.length < 1 || !list.checkVisibility()) return;
    const heading = list.closest("[data-wall-theme]")?.querySelector("h1 + p")?.textContent ?? "";
    const expected = Number(heading.match(/^(\\d+) tunnels?/)?.[1] ?? NaN);
    // A paged wall draws its first page in the same commit as the rest of its plan.
    const paged = / · page \\d+ of \\d+/.test(heading);
    if (!(list.querySelectorAll(":scope > li[data-status]").length >= expected || list.querySelector('li[data-summary]') || paged)) return;
    w.tilesAt = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => channel.port2.postMessage(null));
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

async function firstRender(browser: Browser, c: Console): Promise<Load> {
  await waitUntilCold(c);
  const ctx = await context(browser, c);
  try {
    await ctx.addInitScript(FIRST_RENDER_SCRIPT);
    const page = await ctx.newPage();
    await page.goto(WALL_PATH, { waitUntil: "load", timeout: 120_000 });
    c.lastRead = performance.now();
    await waitFor(async () => (await page.evaluate("window.__wall.paintedAt !== null")) === true, 120_000, () => `${c.name}: the wall did not draw its tiles within 120 s`);
    return (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      return { responseStartMs: nav.responseStart, responseEndMs: nav.responseEnd, fcpMs: fcp ? fcp.startTime : NaN, tilesMs: window.__wall.tilesAt, paintedMs: window.__wall.paintedAt, htmlBytes: nav.decodedBodySize, transferBytes: nav.transferSize };
    })()`)) as Load;
  } finally {
    await ctx.close();
  }
}

/** One more load with Chromium's trace on, summarised: where the renderer's main thread spent the first render. */
async function tracedRender(browser: Browser, c: Console): Promise<TraceSummary> {
  await waitUntilCold(c);
  const ctx = await context(browser, c);
  try {
    await ctx.addInitScript(FIRST_RENDER_SCRIPT);
    const page = await ctx.newPage();
    await browser.startTracing(page, { categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "blink.user_timing", "loading"] });
    await page.goto(WALL_PATH, { waitUntil: "load", timeout: 120_000 });
    c.lastRead = performance.now();
    await waitFor(async () => (await page.evaluate("window.__wall.paintedAt !== null")) === true, 120_000, () => `${c.name}: the traced wall did not draw its tiles`);
    const paintedMs = Number(await page.evaluate("window.__wall.paintedAt"));
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: unknown[] };
    return summarizeTrace(trace.traceEvents, paintedMs);
  } finally {
    await ctx.close();
  }
}

async function refreshBlock(browser: Browser, c: Console, served?: NocSnapshot): Promise<Refresh[]> {
  const ctx = await context(browser, c);
  try {
    const base = served ?? ((await (await ctx.request.get("/api/v1/noc")).json()) as NocSnapshot);
    c.lastRead = performance.now();
    await ctx.addInitScript(REFRESH_SCRIPT);
    const page = await ctx.newPage();
    await page.clock.install();
    let step = 0;
    await page.route("**/api/v1/noc", async (route) => {
      step += 1;
      const at = new Date(Number(await page.evaluate("Date.now()")));
      await route.fulfill({ status: 200, contentType: "application/json", headers: { "cache-control": "no-store" }, body: JSON.stringify(movedOn(base, step, at)) });
    });
    await page.goto(WALL_PATH, { waitUntil: "load", timeout: 120_000 });
    await waitFor(async () => Number(await page.evaluate(`document.querySelectorAll(${JSON.stringify(TILE_SELECTOR)}).length`)) > 0, 120_000, () => `${c.name}: the wall did not render its tiles`);
    await page.waitForLoadState("networkidle");
    const out: Refresh[] = [];
    for (let i = 0; i < REFRESHES_PER_BLOCK; i++) out.push(await oneRefresh(page));
    return out;
  } finally {
    await ctx.close();
  }
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
    return painted === undefined ? null : { commitMs: commit - response.at, paintedMs: painted - response.at };
  })()`;
  let result: Refresh | null = null;
  await waitFor(async () => (result = (await page.evaluate(read)) as Refresh | null) !== null, 30_000, () => "a refresh did not reach the tiles within 30 s", 15);
  return result!;
}

/** The wall at 1,000 tiles as the seed has it (all operational), then a fleet with problems served in its place. */
async function screenshots(browser: Browser, c: Console) {
  const ctx = await context(browser, c);
  try {
    const page = await ctx.newPage();
    await page.clock.install();
    await page.goto(WALL_PATH, { waitUntil: "load", timeout: 120_000 });
    await page.locator(TILE_SELECTOR).first().waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(SHOTS, `${c.name}-seeded.png`) });
    const snapshot = largeFleetSnapshot({ tunnels: 1_000, now: new Date(Number(await page.evaluate("Date.now()"))), newestSampleAgeMs: 5_000 });
    await page.route("**/api/v1/noc", (route) => route.fulfill({ json: snapshot }));
    await page.clock.fastForward(NOC_REFRESH_MS + 1_000);
    await page.getByText(/^1000 tunnels( · page \d+ of \d+)?$/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, `${c.name}-problems.png`) });
  } finally {
    await ctx.close();
  }
}

function report(loads: Record<string, Load[]>, refreshes: Record<string, Refresh[]>, largeRefreshes: Record<string, Refresh[]>, traces: Record<string, TraceSummary>, loadAtStart: string, loadAtEnd: string): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const row = (label: string, pick: (name: string) => number[], unit = ms) => {
    const [b, a] = [pick("before"), pick("after")];
    const ratio = median(a) / median(b);
    return `| ${label} | ${unit(median(b))} / ${unit(p90(b))} | ${unit(median(a))} / ${unit(p90(a))} | ${ratio.toFixed(2)}× |`;
  };
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const categories = [...new Set([...Object.keys(traces.before!.byCategory), ...Object.keys(traces.after!.byCategory)])].sort(
    (x, y) => (traces.before!.byCategory[y] ?? 0) - (traces.before!.byCategory[x] ?? 0),
  );
  return [
    `Load average ${loadAtStart} when both consoles were up, ${loadAtEnd} at the end; ${LOADS} first renders and ${REFRESH_BLOCKS * REFRESHES_PER_BLOCK} refreshes per build, alternating; ${WALL_PATH}.`,
    "",
    `| NOC wall, ${TUNNELS.toLocaleString("en")} seeded tunnels (median / p90) | before | after | after ÷ before |`,
    "| --- | ---: | ---: | ---: |",
    row("navigation → first byte of the HTML", (n) => loads[n]!.map((l) => l.responseStartMs)),
    row("navigation → HTML received", (n) => loads[n]!.map((l) => l.responseEndMs)),
    row("navigation → first contentful paint", (n) => loads[n]!.map((l) => l.fcpMs)),
    row("navigation → all tiles in the DOM", (n) => loads[n]!.map((l) => l.tilesMs)),
    row("navigation → all tiles painted (the frame after)", (n) => loads[n]!.map((l) => l.paintedMs)),
    row("first byte → all tiles painted (the browser's part)", (n) => loads[n]!.map((l) => l.paintedMs - l.responseStartMs)),
    row("HTML, decoded", (n) => loads[n]!.map((l) => l.htmlBytes), kib),
    row("HTML, transferred", (n) => loads[n]!.map((l) => l.transferBytes), kib),
    row("refresh: response → React commit", (n) => refreshes[n]!.map((r) => r.commitMs)),
    row("refresh: response → next frame painted", (n) => refreshes[n]!.map((r) => r.paintedMs)),
    ...(LARGE
      ? [
          row("refresh of 10,000 served to the page: response → React commit", (n) => largeRefreshes[n]!.map((r) => r.commitMs)),
          row("refresh of 10,000 served to the page: response → next frame painted", (n) => largeRefreshes[n]!.map((r) => r.paintedMs)),
        ]
      : []),
    "",
    "One traced first render per build: the renderer's main thread from navigation to the painted tiles, by kind of work (self time):",
    "",
    "| work | before | after |",
    "| --- | ---: | ---: |",
    ...categories.map((k) => `| ${k} | ${ms(traces.before!.byCategory[k] ?? 0)} | ${ms(traces.after!.byCategory[k] ?? 0)} |`),
    `| (span of the trace: navigation → painted) | ${ms(traces.before!.spanMs)} | ${ms(traces.after!.spanMs)} |`,
    `| (longest task) | ${ms(traces.before!.longestTaskMs)} | ${ms(traces.after!.longestTaskMs)} |`,
  ].join("\n");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
