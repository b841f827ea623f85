import AxeBuilder from "@axe-core/playwright";
import { formatBitRate } from "@/lib/charts/describe";
import { tileThroughputText } from "@/lib/noc/throughput-text";
import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";
import { largeFleetSnapshot } from "./support/wall-fleet";

/**
 * The NOC wall from across the room, at 1920×1080 with 1,000 tunnels: problems first and large
 * enough to read, the stale banner above every tile (checked by what the browser hit-tests at
 * points across it, not by eye), axe clean in both themes, and the rotation set by the URL.
 *
 * The wall draws whatever GET /api/v1/noc answers; these tests answer it with a 1,000-tunnel
 * snapshot (e2e/support/wall-fleet.ts) and move the page's clock to its next refresh, so nothing
 * waits on the wall clock.
 */

const TUNNELS = 1_000;
const ORDER = ["down", "stale", "degraded", "maintenance", "operational"];
/** One wall refresh (lib/client/queries.ts NOC_REFRESH_MS) and a little. */
const REFRESH_MS = 16_000;

test.use({ storageState: storageStateOf("noc"), viewport: { width: 1920, height: 1080 } });

/** Opens the wall and gets it onto the 1,000-tunnel fleet; returns the snapshot served. */
async function openLargeWall(page: Page, url: string, options: { stale: boolean }) {
  await page.clock.install();
  const snapshot = largeFleetSnapshot({ tunnels: TUNNELS, now: new Date(), newestSampleAgeMs: options.stale ? 10 * 60_000 : 5_000 });
  await page.route("**/api/v1/noc", (route) => route.fulfill({ json: snapshot }));
  await page.goto(url);
  // The page starts from the console's own snapshot; its next refresh brings the large fleet.
  await expect(page.getByRole("list", { name: "Tunnels", exact: true })).toBeVisible();
  await page.clock.fastForward(REFRESH_MS);
  await expect(page.getByText(new RegExp(`^${TUNNELS} tunnels( · page 1 of \\d+)?$`))).toBeVisible();
  return snapshot;
}

const tiles = (page: Page) => page.locator('ul[aria-label="Tunnels"] > li[data-status]');
const healthyTiles = (page: Page) => page.locator('ul[aria-label="Tunnels"] > li[data-status="operational"]');

async function snap(page: Page, name: string) {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: "image/png" });
}

for (const theme of ["dark", "light"] as const) {
  test(`${theme}: 1,000 tunnels with problems first, on tiles a room can read, and axe finds nothing serious`, async ({ page }) => {
    const snapshot = await openLargeWall(page, `/noc?theme=${theme}`, { stale: false });
    const problems = snapshot.tiles.filter((t) => t.status !== "operational");
    expect(problems.length).toBeGreaterThan(40);

    // Every problem is drawn, before every healthy tunnel, worst first.
    const statuses = await tiles(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-status")!));
    expect(statuses.slice(0, problems.length).every((s) => s !== "operational")).toBe(true);
    const ranks = statuses.map((s) => ORDER.indexOf(s));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // And on screen: problem tiles fill the top left, readably large, none clipped.
    const grid = (await page.getByRole("main").boundingBox())!;
    const boxes = await tiles(page).evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        const name = el.querySelector("span[aria-hidden] + span") ?? el;
        return { status: el.getAttribute("data-status"), top: r.top, left: r.left, bottom: r.bottom, width: r.width, font: Number.parseFloat(getComputedStyle(name).fontSize) };
      }),
    );
    const problemBoxes = boxes.filter((b) => b.status !== "operational");
    expect(problemBoxes[0]!.top).toBeLessThanOrEqual(grid.y + 1);
    for (const box of problemBoxes) {
      expect(box.bottom).toBeLessThanOrEqual(grid.y + grid.height + 1);
      expect(box.width).toBeGreaterThanOrEqual(200);
      // ≥ 20 CSS px names: legible at 5 m on a 55-inch 1080p screen.
      expect(box.font).toBeGreaterThanOrEqual(20);
    }
    // A problem tile that still carries traffic says how much, each way, in arrows and in words.
    const degraded = snapshot.tiles.find((t) => t.status === "degraded" && t.throughput)!;
    const tile = tiles(page).filter({ hasText: degraded.label });
    await expect(tile.getByText(tileThroughputText(degraded.throughput)!, { exact: true })).toBeVisible();
    await expect(tile).toContainText(`throughput toward AVS ${formatBitRate(degraded.throughput!.toAvsBps!)}, back ${formatBitRate(degraded.throughput!.fromAvsBps!)}`);
    const lastProblemTop = Math.max(...problemBoxes.map((b) => b.top));
    const healthyBelow = boxes.filter((b) => b.status === "operational" && b.top > lastProblemTop);
    expect(healthyBelow.length).toBeGreaterThan(0);
    // The healthy tunnels that do not fit are counted, and the counts add up.
    const summary = page.locator('li[data-summary="healthy"]');
    await expect(summary).toBeVisible();
    const healthyDrawn = statuses.filter((s) => s === "operational").length;
    await expect(summary).toContainText(`+${TUNNELS - problems.length - healthyDrawn}`);
    await expect(summary).toContainText("more operational");
    // The counts in the header are large.
    const countSize = await page.getByRole("list", { name: "Tunnels by status" }).locator("li span.font-bold").first().evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(countSize).toBeGreaterThanOrEqual(40);
    // Every drawn tile's latency line is on the grid's one canvas, in the tile's own box, and
    // nothing is drawn where there is no tile (the gap between two tiles).
    const canvas = page.locator("main canvas");
    await expect(canvas).toHaveAttribute("data-sparklines", String(statuses.length));
    const ink = await page.evaluate(() => {
      const el = document.querySelector("main canvas") as HTMLCanvasElement;
      const origin = el.getBoundingClientRect();
      const ratio = el.width / origin.width;
      const context = el.getContext("2d")!;
      const inked = (r: { left: number; top: number; width: number; height: number }) => {
        const data = context.getImageData(Math.round((r.left - origin.left) * ratio), Math.round((r.top - origin.top) * ratio), Math.max(1, Math.round(r.width * ratio)), Math.max(1, Math.round(r.height * ratio))).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      };
      const tiles = [...document.querySelectorAll('ul[aria-label="Tunnels"] > li[data-status]')].map((li) => li.getBoundingClientRect());
      const [a, b] = [tiles[0]!, tiles.find((t, i) => i > 0 && Math.abs(t.top - tiles[0]!.top) < 1)!];
      return { tiles: tiles.map((r) => inked(r)), gap: inked({ left: a.right + 0.5, top: a.top, width: Math.max(0.5, b.left - a.right - 1), height: a.height }) };
    });
    expect(ink.tiles.filter((n) => n === 0)).toEqual([]);
    expect(ink.gap).toBe(0);
    await snap(page, `noc-1000-${theme}`);

    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });

  test(`${theme}: the stale banner is on top of every tile, across its whole width`, async ({ page }) => {
    await openLargeWall(page, `/noc?theme=${theme}`, { stale: true });
    const banner = page.getByTestId("stale-banner");
    await expect(banner).toContainText("No telemetry for 10 min");
    const box = (await banner.boundingBox())!;
    // What the browser would paint topmost (and hit-test first) at points all across the banner.
    const hits = await page.evaluate(({ x, y, width, height }) => {
      const bannerEl = document.querySelector('[data-testid="stale-banner"]')!;
      const points: { x: number; y: number; top: boolean; overTile: boolean }[] = [];
      for (let i = 0; i <= 12; i++) {
        for (const fy of [0.15, 0.5, 0.85]) {
          const px = x + 2 + ((width - 4) * i) / 12;
          const py = y + height * fy;
          const stack = document.elementsFromPoint(px, py);
          points.push({ x: px, y: py, top: bannerEl.contains(stack[0]!), overTile: stack.some((el) => el.matches('ul[aria-label="Tunnels"] li, ul[aria-label="Tunnels"] li *')) });
        }
      }
      return points;
    }, box);
    expect(hits.filter((p) => !p.top)).toEqual([]);
    // The check means something: the banner does lie over tiles.
    expect(hits.filter((p) => p.overTile).length).toBeGreaterThan(hits.length / 2);
    await snap(page, `noc-1000-stale-${theme}`);
  });
}

test("rotates through pages of healthy tunnels when the URL asks, problems on every page", async ({ page }) => {
  await openLargeWall(page, "/noc?rotate=30", { stale: false });
  const indicator = page.getByText(/ · page (\d+) of (\d+)$/);
  await expect(indicator).toContainText("page 1 of");
  const firstHealthy = await healthyTiles(page).first().locator(".sr-only").textContent();
  const problemsBefore = await tiles(page).evaluateAll((els) => els.filter((el) => el.getAttribute("data-status") !== "operational").map((el) => el.textContent));
  // No healthy tunnel is hidden behind a count when rotating.
  await expect(page.locator('li[data-summary="healthy"]')).toHaveCount(0);

  await page.clock.fastForward(30_000);
  await expect(indicator).toContainText("page 2 of");
  const problemsAfter = await tiles(page).evaluateAll((els) => els.filter((el) => el.getAttribute("data-status") !== "operational").map((el) => el.textContent));
  expect(problemsAfter).toEqual(problemsBefore);
  await expect(healthyTiles(page).first().locator(".sr-only")).not.toHaveText(firstHealthy!);
});

// The wall's theme is its own (?theme=), whatever this browser's console theme cookie says: a NOC
// screen someone once used to pick "Light" in the console must still come up dark.
for (const [consoleTheme, wallTheme] of [
  ["light", "dark"],
  ["dark", "light"],
] as const) {
  test(`a ${wallTheme} wall stays ${wallTheme} where the console theme is ${consoleTheme}`, async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: "bridgehead-theme", value: consoleTheme, url: baseURL! }]);
    await page.goto(`/noc?theme=${wallTheme}`);
    await expect(page.locator("html")).toHaveClass(consoleTheme);
    // The wall itself, not its loading frame: the streamed wall and the frame it replaces are both
    // in the page for a moment (the wall arrives hidden, then takes the frame's place).
    const wall = page.locator(`[data-wall-theme="${wallTheme}"]:not([data-wall-loading])`);
    await expect(wall).toBeVisible();
    // The wall's painted background: black in the dark theme, light grey in the light one.
    // (Tailwind's colours are oklch(): a canvas turns them into RGB.)
    const rgb = await wall.evaluate((el) => {
      const canvas = document.createElement("canvas").getContext("2d")!;
      canvas.fillStyle = getComputedStyle(el).backgroundColor;
      canvas.fillRect(0, 0, 1, 1);
      return Array.from(canvas.getImageData(0, 0, 1, 1).data.slice(0, 3));
    });
    const dark = rgb.reduce((a, b) => a + b, 0) / 3 < 64;
    expect(dark, `the ${wallTheme} wall's background is rgb(${rgb.join(", ")})`).toBe(wallTheme === "dark");
  });
}
