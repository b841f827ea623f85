/**
 * First-load JavaScript per route, measured the way a browser meets it: the page is loaded in
 * Chromium, every script it fetches until the network is idle is kept, and each body's gzip size
 * is computed here (zlib's default level, what a compressing server sends), so the console's
 * custom server and a bare `next start` are weighed alike whatever either does on the wire.
 *
 * The yardstick is a bare Next.js app (one "hello" page) built with the same Next, React and
 * Turbopack from the repository's node_modules, in a folder of its own under the system's temp
 * directory: built once, then reused by later runs.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { Browser, BrowserContext } from "@playwright/test";

export type RouteWeight = {
  route: string;
  scripts: number;
  rawBytes: number;
  gzipBytes: number;
  /** Each script, largest first, with the libraries recognised in it. */
  chunks: { file: string; gzipBytes: number; libraries: string[] }[];
};

/**
 * Strings that survive minification and say which library a chunk carries. Approximate by
 * nature (a chunk may hold several), but enough to say where the weight comes from.
 */
const FINGERPRINTS: [string, RegExp][] = [
  ["react-dom", /react-dom|Minified React error/],
  ["next router", /__next_f|nextjs\.org\/docs\/messages/],
  ["MSAL", /msal|PublicClientApplication|interaction_in_progress/],
  ["TanStack Query", /refetchInterval|queryKeyHashFn/],
  ["Recharts", /recharts-/],
  ["zod", /invalid_type|ZodError|\$ZodType/],
  ["d3", /d3-|interpolateRgb|scaleLinear/],
];

export async function measureRouteJs(context: BrowserContext, origin: string, route: string): Promise<RouteWeight> {
  const page = await context.newPage();
  const bodies = new Map<string, Promise<Buffer | null>>();
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script" || bodies.has(response.url())) return;
    bodies.set(response.url(), response.body().catch(() => null));
  });
  try {
    const response = await page.goto(`${origin}${route}`, { waitUntil: "load", timeout: 120_000 });
    if (!response || response.status() >= 400) throw new Error(`${route} answered ${response?.status() ?? "nothing"}`);
    if (new URL(page.url()).pathname !== route) throw new Error(`${route} sent the browser to ${page.url()}: is the session signed in as the right persona?`);
    await page.waitForLoadState("networkidle", { timeout: 120_000 });
  } finally {
    await page.close();
  }
  const chunks: RouteWeight["chunks"] = [];
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const [url, pending] of bodies) {
    const body = await pending;
    if (!body) throw new Error(`The body of ${url} could not be read.`);
    const gzip = zlib.gzipSync(body).byteLength;
    rawBytes += body.byteLength;
    gzipBytes += gzip;
    const text = body.toString("utf8");
    chunks.push({ file: new URL(url).pathname.split("/").pop() ?? url, gzipBytes: gzip, libraries: FINGERPRINTS.filter(([, re]) => re.test(text)).map(([name]) => name) });
  }
  chunks.sort((a, b) => b.gzipBytes - a.gzipBytes);
  return { route, scripts: bodies.size, rawBytes, gzipBytes, chunks };
}

const BARE_DIR = path.join(os.tmpdir(), "bridgehead-bench-bare-next");

/** The bare app's "/" weighed like the console's routes; builds it first if it has not been built. */
export async function measureBareNext(browser: Browser): Promise<RouteWeight & { built: boolean }> {
  const built = buildBareNext();
  const port = await freePortInRange(3400, 3499);
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: BARE_DIR,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok === true, 60_000, () => `the bare app did not start:\n${output}`);
    const context = await browser.newContext();
    try {
      return { ...(await measureRouteJs(context, `http://127.0.0.1:${port}`, "/")), built };
    } finally {
      await context.close();
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

/** One `next build` of a "hello" page, with the repository's own Next and React; false when a build was already there. */
function buildBareNext(): boolean {
  if (fs.existsSync(path.join(BARE_DIR, ".next", "BUILD_ID"))) return false;
  fs.rmSync(BARE_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(BARE_DIR, "app"), { recursive: true });
  fs.writeFileSync(path.join(BARE_DIR, "package.json"), JSON.stringify({ name: "bare-next", private: true }, null, 2));
  // Turbopack will not follow a symlink out of its root, so the root is the filesystem's.
  fs.writeFileSync(path.join(BARE_DIR, "next.config.js"), `module.exports = { turbopack: { root: "/" } };\n`);
  fs.writeFileSync(
    path.join(BARE_DIR, "app", "layout.tsx"),
    `export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n`,
  );
  fs.writeFileSync(path.join(BARE_DIR, "app", "page.tsx"), `export default function Page() {\n  return <p>hello</p>;\n}\n`);
  fs.symlinkSync(path.join(process.cwd(), "node_modules"), path.join(BARE_DIR, "node_modules"), "dir");
  console.log(`[bench] building the bare Next.js app in ${BARE_DIR} (once)…`);
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: BARE_DIR, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`The bare Next.js app did not build:\n${build.stdout}\n${build.stderr}`);
  return true;
}

/** A port in [from, to] nothing listens on (the range keeps clear of other people's servers on this machine). */
export async function freePortInRange(from: number, to: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`No free port from ${from} to ${to}.`);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
