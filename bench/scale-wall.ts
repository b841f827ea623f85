/**
 * The wall's first render in the scale benchmark (bench/scale.ts): Chromium loads /noc on one
 * console, with the load still on, three times; each time is navigation → every tile of the
 * wall's first page drawn.
 */
import { chromium } from "@playwright/test";
import type { RunningConsole } from "./scale-fleet";

export const VIEWPORT = { width: 1920, height: 1080 };
/** The wall reads the snapshot this often: past the 5 s window in which reads share one. */
export const NOC_EVERY_MS = 5_500;

export async function firstRenders(target: RunningConsole, cookie: string, expected: number): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const origin = target.origin.replace("127.0.0.1", "localhost");
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ baseURL: origin, ignoreHTTPSErrors: true, viewport: VIEWPORT });
      await context.addCookies(cookie.split("; ").map((pair) => ({ name: pair.split("=")[0]!, value: pair.slice(pair.indexOf("=") + 1), domain: "localhost", path: "/", secure: true, httpOnly: true })));
      // Done when the page has drawn its own plan: every tunnel it counts in its heading, the
      // tile that counts the healthy ones it had no room for, or the first of its pages. (Counting against the benchmark's
      // own snapshot waited for the wall's next refresh whenever a tunnel changed state between
      // the two reads: one load of 2026-12-05 "took" 47 s that way.)
      await context.addInitScript(`(() => {
        const w = (window.__wall = { tilesAt: null });
        const observer = new MutationObserver(() => {
          const list = document.querySelector('ul[aria-label="Tunnels"]');
          // Server-rendered tiles arrive in a hidden element first, then are moved into the page.
          if (!list || list.children.length < 1 || !list.checkVisibility()) return;
          const heading = list.closest("[data-wall-theme]")?.querySelector("h1 + p")?.textContent ?? "";
          const counted = Number(heading.match(/^(\\d+) tunnels?/)?.[1] ?? NaN);
          // A paged wall draws its first page in the same commit as the rest of its plan.
          const paged = / · page \\d+ of \\d+/.test(heading);
          if (!(list.querySelectorAll(":scope > li[data-status]").length >= counted || list.querySelector("li[data-summary]") || paged)) return;
          w.tilesAt = performance.now();
          observer.disconnect();
        });
        observer.observe(document, { childList: true, subtree: true });
      })();`);
      const page = await context.newPage();
      await page.goto("/noc", { waitUntil: "load", timeout: 120_000 });
      // Polled from here: waitForFunction's in-page polling evaluates a string, which the
      // console's CSP (no 'unsafe-eval') refuses.
      let tilesAt: number | null = null;
      for (const until = Date.now() + 120_000; tilesAt === null; await sleep(50)) {
        if (Date.now() > until) throw new Error(`the wall did not draw its tiles (about ${expected}) within 120 s`);
        tilesAt = (await page.evaluate("window.__wall.tilesAt")) as number | null;
      }
      times.push(tilesAt);
      await context.close();
      await sleep(NOC_EVERY_MS);
    }
    return times;
  } finally {
    await browser.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
