import { expect, test, type Page, type Route } from "@playwright/test";
import { groupTiles, planWall } from "@/lib/noc/wall-plan";
import type { NocSnapshot } from "@/lib/queries/noc";
import { collectPageErrors, drawnWallTiles, expectWallFirstPage } from "./support/pages";
import { storageStateOf } from "./support/personas";
import { largeFleetSnapshot } from "./support/wall-fleet";

/**
 * The wall's first page comes in its HTML (tiles rendered, the data they show, the whole fleet's
 * counts), and the whole snapshot only after that page is painted (lib/noc/wall-slice.ts,
 * components/noc/use-wall-snapshot.ts). These tests hold GET /api/v1/noc until they have seen the
 * first page, then answer it with a 1,000-tunnel fleet and follow the wall's rotation on it. No
 * wall-clock waits: the page's clock is moved, and every step waits on what the page shows.
 */

const VIEWPORT = { width: 1920, height: 1080 };
const ROTATE_SECONDS = 300;

test.use({ storageState: storageStateOf("noc"), viewport: VIEWPORT });

/** Each drawn tile's tunnel, from its spoken sentence ("tenant/tunnel: Operational, …"). */
const drawnLabels = async (page: Page) => (await drawnWallTiles(page).locator(".sr-only").allTextContents()).map((text) => text.split(":")[0]!);

/** The labels the wall's plan draws on `page` of this fleet, at this test's screen size, rotating. */
function labelsOnPage(snapshot: NocSnapshot, page: number): string[] {
  const groups = groupTiles(snapshot.tiles);
  const plan = planWall({ ...VIEWPORT, problems: groups.problems.length, healthy: groups.healthy.length, rotate: true, page });
  expect(plan.page).toBe(page);
  return [...groups.problems.slice(plan.problems.start, plan.problems.end), ...groups.healthy.slice(plan.healthy.start, plan.healthy.end)].map((tile) => tile.label);
}

/** Holds every request for the whole snapshot until `release` answers it (and every later one) with `snapshot`. */
async function holdSnapshot(page: Page) {
  const held: Route[] = [];
  let answer: NocSnapshot | null = null;
  let requested!: () => void;
  const firstRequest = new Promise<void>((resolve) => (requested = resolve));
  await page.route("**/api/v1/noc", async (route) => {
    if (answer) return route.fulfill({ json: answer });
    held.push(route);
    requested();
  });
  return {
    firstRequest,
    heldCount: () => held.length,
    async release(snapshot: NocSnapshot) {
      answer = snapshot;
      for (const route of held.splice(0)) await route.fulfill({ json: snapshot });
    },
  };
}

test("draws its first page from the HTML before the whole snapshot arrives, then rotates through the whole fleet's pages", async ({ page }) => {
  // React reports a server render the browser could not adopt (its errors #418–#425) here.
  const errors = collectPageErrors(page);
  await page.clock.install();
  const hold = await holdSnapshot(page);
  const response = await page.goto(`/noc?rotate=${ROTATE_SECONDS}`);
  const html = await response!.text();

  // The first page is drawn while the wall's request for the whole snapshot is still unanswered.
  await hold.firstRequest;
  const fleet = await expectWallFirstPage(page);
  expect(hold.heldCount(), "the whole snapshot has not been answered").toBe(1);
  // Those tiles came rendered in the HTML (painted before the scripts ran), each tunnel once.
  const firstLabels = await drawnLabels(page);
  for (const label of firstLabels) expect(html, `${label} is in the HTML`).toContain(`${label}: `);
  // The fleet's counts came with them: the header's status counts add up to the tunnels counted.
  const counted = await page
    .getByRole("list", { name: "Tunnels by status" })
    .getByRole("listitem")
    .evaluateAll((items) => items.map((item) => Number(item.textContent!.match(/\d+/)?.[0] ?? NaN)));
  expect(counted.reduce((a, b) => a + b, 0)).toBe(fleet);
  // The wall told the server its screen, for the next load's first page.
  const cookie = (await page.context().cookies()).find((c) => c.name === "bridgehead-noc-viewport");
  expect(cookie?.value).toBe(`${VIEWPORT.width}x${VIEWPORT.height}`);
  expect(cookie?.path).toBe("/noc");

  // The whole snapshot arrives (a fleet of 1,000 here): the wall plans its pages from it.
  const snapshot = largeFleetSnapshot({ tunnels: 1_000, now: new Date(Number(await page.evaluate("Date.now()"))), newestSampleAgeMs: 5_000 });
  const first = labelsOnPage(snapshot, 0);
  const second = labelsOnPage(snapshot, 1);
  expect(second).not.toEqual(first);
  await hold.release(snapshot);
  const indicator = page.getByText(/^1000 tunnels · page (\d+) of (\d+)$/);
  await expect(indicator).toContainText("page 1 of");
  await expect.poll(() => drawnLabels(page)).toEqual(first);

  // Its rotation moves on to page 2: the problems again, then the next healthy tunnels.
  await page.clock.fastForward(ROTATE_SECONDS * 1000);
  await expect(indicator).toContainText("page 2 of");
  await expect.poll(() => drawnLabels(page)).toEqual(second);
  await page.screenshot({ path: test.info().outputPath("noc-page-2.png") });
  // The server's tiles were hydrated as they were, not thrown away and drawn again.
  expect(errors).toEqual([]);
});

test("keeps its first page when the whole snapshot cannot be had, and says so once it matters", async ({ page }) => {
  await page.clock.install();
  await page.route("**/api/v1/noc", (route) => route.abort("connectionrefused"));
  const requested = page.waitForRequest("**/api/v1/noc");
  await page.goto("/noc");
  await requested;
  const fleet = await expectWallFirstPage(page);
  // Two refresh intervals without a good answer: the banner says the data is stale, over the same tiles.
  await page.clock.fastForward(35_000);
  await expect(page.getByText(/Data stale: last update \d+ s ago/)).toBeVisible();
  await expect(drawnWallTiles(page)).toHaveCount(fleet);
});

test("opened while the console keeps the snapshot, comes whole: its tiles in the first paint, no loading frame", async ({ page }) => {
  const errors = collectPageErrors(page);
  // Another wall watching (here, one read of the API): the console keeps the snapshot and refreshes it.
  expect((await page.request.get("/api/v1/noc")).status()).toBe(200);
  const response = await page.goto("/noc");
  const html = await response!.text();
  // No frame to swap out: React reveals streamed content no sooner than 300 ms after the frame's paint.
  expect(html).not.toContain("data-wall-loading");
  await expectWallFirstPage(page);
  for (const label of await drawnLabels(page)) expect(html, `${label} is in the HTML`).toContain(`${label}: `);
  expect(errors).toEqual([]);
});
