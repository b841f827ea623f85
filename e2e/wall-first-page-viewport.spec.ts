import { expect, test, type Page } from "@playwright/test";
import { collectPageErrors, drawnWallTiles, expectWallFirstPage } from "./support/pages";
import { storageStateOf } from "./support/personas";

/**
 * The wall's first page is cut on the server for the screen size its cookie names
 * (lib/noc/wall-viewport.ts), which need not be the design size nor this window's. These tests
 * set that cookie, hold or refuse GET /api/v1/noc, and look at what the wall drew from its HTML.
 * No wall-clock waits: each step waits on what the page shows or on the wall's own frame.
 */

test.use({ storageState: storageStateOf("noc") });

const COOKIE = "bridgehead-noc-viewport";

async function setViewportCookie(page: Page, value: string) {
  const origin = new URL(test.info().project.use.baseURL!);
  await page.context().addCookies([{ name: COOKIE, value, domain: origin.hostname, path: "/noc", secure: true, sameSite: "Lax" }]);
}

/**
 * Resolves once the wall has hydrated and run its effects, and the frame after that has run its
 * tasks. The clock shows a time only from its first effect (components/noc/use-now.ts), flushed
 * with the wall's own (the cookie, the request for the whole snapshot): the cookie alone is no
 * sign, since a test may have set it to the very value the wall writes.
 */
async function afterWallEffects(page: Page, width: number, height: number) {
  await expect(page.locator("header time")).toHaveAttribute("datetime", /Z$/);
  await expect.poll(() => page.evaluate(() => document.cookie)).toContain(`${COOKIE}=${width}x${height}`);
  // The wall asks for the whole snapshot from a task queued in the frame after its commit; a
  // frame and a task queued now run after that one.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
}

test.describe("a cookie of another size than the design size", () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test("the HTML is laid out for the cookie's screen and hydrates as it was sent", async ({ page }) => {
    const errors = collectPageErrors(page);
    await setViewportCookie(page, "1280x720");
    // The whole snapshot is never answered here: the wall draws only what its HTML carried.
    const requested = page.waitForRequest("**/api/v1/noc");
    await page.route("**/api/v1/noc", () => {});
    await page.goto("/noc");
    await requested;
    await expectWallFirstPage(page);
    // Every tile inside this 1280×720 window: laid out for it, not for 1920×1080.
    for (const box of await drawnWallTiles(page).evaluateAll((items) => items.map((item) => item.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.right).toBeLessThanOrEqual(1280);
      expect(box.bottom).toBeLessThanOrEqual(720);
    }
    await afterWallEffects(page, 1280, 720);
    // Hydration draws the slice's own screen (not useViewport's server value, 1920×1080), so
    // React adopted the server's tiles without a mismatch.
    expect(errors).toEqual([]);
  });
});

test.describe("a stale cookie (the browser last ran on a larger screen)", () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test("every tile it holds is on the screen, even when the whole snapshot cannot be had", async ({ page }) => {
    await setViewportCookie(page, "3840x2160");
    const requested = page.waitForRequest("**/api/v1/noc");
    await page.route("**/api/v1/noc", (route) => route.abort("connectionrefused"));
    await page.goto("/noc");
    await requested;
    await expectWallFirstPage(page);
    await afterWallEffects(page, 1920, 1080);
    const offScreen = await drawnWallTiles(page).evaluateAll((items) =>
      items.filter((item) => {
        const box = item.getBoundingClientRect();
        return box.right > window.innerWidth || box.bottom > window.innerHeight;
      }).length,
    );
    expect(offScreen, "tiles drawn outside the window").toBe(0);
  });
});

test.describe("a wall PC whose clock runs ahead of the server's", () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test("asks for the whole snapshot once, not twice with the first request aborted", async ({ page }) => {
    // Every fetch of the snapshot, and every one aborted, counted in the page itself.
    await page.addInitScript(() => {
      const counts = { calls: 0, aborted: 0 };
      (window as unknown as { __noc: typeof counts }).__noc = counts;
      const original = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes("/api/v1/noc")) {
          counts.calls++;
          init?.signal?.addEventListener("abort", () => counts.aborted++);
        }
        return original(input, init);
      };
    });
    // A minute ahead: the snapshot the server prefetched looks stale (staleTime 5 s) on mount.
    await page.clock.install({ time: Date.now() + 60_000 });
    await setViewportCookie(page, "1920x1080");
    const requested = page.waitForRequest("**/api/v1/noc");
    await page.route("**/api/v1/noc", () => {});
    await page.goto("/noc");
    await requested;
    await afterWallEffects(page, 1920, 1080);
    expect(await page.evaluate(() => (window as unknown as { __noc: { calls: number; aborted: number } }).__noc)).toEqual({ calls: 1, aborted: 0 });
  });
});
