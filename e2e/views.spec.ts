import { expect, request as apiRequest, test, type Browser, type Page } from "@playwright/test";
import { fillOnboarding } from "./support/onboarding";
import { storageStateOf } from "./support/personas";
import { tenantPage, wallTiles } from "./support/pages";

/**
 * The three views of issue 8, one audience at a time. The console under test runs the simulated
 * fleet: warnings appear once the first evaluation round has read its backfilled telemetry
 * (well under a minute after start), so expectations about them wait rather than assume.
 */

/** Waits long enough for the first evaluation round after the console started, plus a poll. */
const FIRST_EVALUATION_MS = 75_000;
/** The first roll-up round that sees the fleet's backfill (every 60 s) plus a chart refresh (30 s). */
const FIRST_ROLLUP_MS = 100_000;

async function snap(page: Page, view: string) {
  const path = test.info().outputPath(`${view}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(view, { path, contentType: "image/png" });
}

/** The number at the start of each "N tunnels <status>" link on the admin overview, summed. */
async function overviewTunnelTotal(page: Page): Promise<number> {
  const labels = await page
    .getByRole("region", { name: "Tunnels by status" })
    .getByRole("link")
    .evaluateAll((links) => links.map((link) => link.getAttribute("aria-label") ?? ""));
  expect(labels).toHaveLength(5);
  return labels.reduce((sum, label) => sum + Number(/^(\d+) tunnels /.exec(label)![1]), 0);
}

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("goes from the overview to a warning, to its tenant, and acknowledges it there", async ({ page }) => {
    test.setTimeout(FIRST_EVALUATION_MS + 60_000);
    await page.goto("/admin");
    await expect(page.getByRole("heading", { level: 1, name: "Fleet overview" })).toBeVisible();
    // Proseware's demo tunnel is down from the start: its warning opens on the first round.
    const openWarnings = page.getByRole("region", { name: "Open warnings" });
    const downLink = openWarnings.getByRole("link", { name: /^\d+ × Tunnel down \(critical\)$/ });
    await expect(downLink).toBeVisible({ timeout: FIRST_EVALUATION_MS });
    // The severity tile counts it: at least one critical warning is open.
    await expect(openWarnings.getByRole("link", { name: /^Critical \d+$/ })).toHaveText(/Critical\s*[1-9]\d*$/);
    await snap(page, "admin-overview");

    await downLink.click();
    await expect(page).toHaveURL(/\/admin\/warnings\?kind=tunnel-down&severity=critical$/);
    const filters = page.getByRole("search", { name: "Filter warnings" });
    await expect(filters.getByLabel("Severity")).toHaveValue("critical");
    await expect(filters.getByLabel("Kind")).toHaveValue("tunnel-down");
    const rows = page.getByRole("table").getByRole("row").filter({ has: page.getByRole("cell") });
    // The filter holds: every row listed is a critical "Tunnel down".
    for (const text of await rows.allInnerTexts()) {
      expect(text).toContain("Tunnel down");
      expect(text).toContain("Critical");
    }
    const proseware = rows.filter({ hasText: "Proseware Logistics" });
    await expect(proseware).toHaveCount(1);
    await expect(proseware).toContainText("tunnel primary");
    await expect(proseware.getByRole("cell").last()).toHaveText("Open");
    await snap(page, "admin-warnings-filtered");

    await proseware.getByRole("link", { name: "Proseware Logistics" }).click();
    await expect(page).toHaveURL(/\/t\/proseware$/);
    await expect(page.getByRole("heading", { level: 1, name: "Proseware Logistics" })).toBeVisible();
    const warning = page.getByRole("region", { name: /^Warnings/ }).getByRole("listitem").filter({ hasText: "Tunnel down" });
    await expect(warning).toContainText("No traffic crosses the tunnel");
    await warning.getByRole("button", { name: "Acknowledge" }).click();
    await expect(warning.getByRole("status")).toBeVisible();
    await expect(warning).toContainText(/Acknowledged \d.* by admin@bridgehead\.example/);
    await expect(warning.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
    await snap(page, "admin-tenant-acknowledged");

    // It stays acknowledged, and the fleet list says so too.
    await page.reload();
    await expect(page.getByRole("region", { name: /^Warnings/ }).getByRole("listitem").filter({ hasText: "Tunnel down" })).toContainText("by admin@bridgehead.example");
    await page.goto("/admin/warnings?kind=tunnel-down&severity=critical");
    await expect(page.getByRole("row").filter({ hasText: "Proseware Logistics" }).getByRole("cell").last()).toHaveText("Acknowledged");
  });

  test("the overview counts the same tunnels as the NOC wall, also once a tenant with a tunnel is offboarded", async ({ page }) => {
    test.setTimeout(120_000);
    // A tenant with a tunnel, then offboarded: its tunnel stays on record as history.
    const form = await fillOnboarding(page, { name: "Adatum Systems", slug: "adatum", subnet: "10.79.0.0/24" });
    await form.getByRole("button", { name: "Onboard tenant" }).click();
    await expect(page).toHaveURL(/\/t\/adatum\?onboarded=1$/);
    await expect(page.getByRole("status").filter({ hasText: "Adatum Systems is onboarded" })).toBeVisible();
    const add = page.getByRole("form", { name: "Add a tunnel" });
    await add.getByRole("group", { name: "Source-site gateway" }).getByLabel("Host name").fill("adatum-gw1");
    const avs = add.getByRole("group", { name: /AVS edge bridge/ });
    await avs.getByLabel("Host name").fill("adatum-bridge1");
    await avs.getByLabel("Underlay address").fill("10.120.8.99");
    await add.getByRole("button", { name: "Add tunnel" }).click();
    const tenant = tenantPage(page);
    await expect(tenant.tunnel("primary")).toBeVisible();
    await expect(tenant.segmentState).toHaveText(/Ready$/, { timeout: 20_000 });
    // Its tunnel is still attached: a pre-check the operator goes past with a reason.
    await tenant.offboard({ slug: "adatum", displayName: "Adatum Systems", reason: "The customer cancelled before going live" });
    await expect(page.getByRole("status").filter({ hasText: "Offboarded on" })).toBeVisible({ timeout: 30_000 });

    await page.goto("/noc");
    const tiles = wallTiles(page);
    await expect(tiles.first()).toBeVisible();
    // The wall polls every 15 s and the console keeps one snapshot per process, refreshed every
    // 5 s while anyone watches (lib/queries/noc-cache.ts): the tunnel leaves within a poll or two.
    await expect(tiles.filter({ hasText: "adatum/" })).toHaveCount(0, { timeout: 45_000 });
    const wallTotal = await tiles.count();

    await page.goto("/admin");
    expect(await overviewTunnelTotal(page), "tunnels on the overview vs tiles on the wall").toBe(wallTotal);
  });
});

test.describe("a tenant user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("sees their tunnel's latency chart in any range and their warnings, and nothing of an operator's or another tenant's", async ({ page }) => {
    test.setTimeout(FIRST_ROLLUP_MS + FIRST_EVALUATION_MS + 30_000);
    await page.goto("/t/contoso");
    const panel = page.getByRole("region", { name: "Tunnel health and latency" }).getByRole("article", { name: /^primary/ });
    const rtt = panel.getByRole("figure", { name: /^Round-trip time/ });
    const drawing = rtt.getByRole("img", { name: /^Round-trip time over/ });
    // The drawing carries its summary; it is only drawn when there are measurements. The 24-hour
    // range reads 1-minute roll-ups, so on a console that has just started it fills in with the
    // first roll-up round after the fleet's backfill and the chart's next refresh.
    await expect(drawing).toHaveAttribute("aria-label", /^Round-trip time over the last 24 hours\. .*latest \d+(\.\d+)? ms, highest/, {
      timeout: FIRST_ROLLUP_MS,
    });
    await expect(rtt.locator(".recharts-line path").first()).toBeVisible();
    await expect(rtt.getByRole("listitem")).toHaveCount(2);

    const ranges = panel.getByRole("group", { name: "Time range for tunnel primary" });
    await expect(ranges.getByRole("radio", { name: "24 h" })).toBeChecked();
    const hourly = page.waitForResponse((r) => /\/api\/v1\/tunnels\/[^/]+\/series\?range=1h$/.test(r.url()) && r.ok());
    // The radios are visually hidden inside their labels: a user clicks the label's segment.
    await ranges.locator("label").filter({ hasText: /^1 h$/ }).click();
    await expect(ranges.getByRole("radio", { name: "1 h" })).toBeChecked();
    await hourly;
    await expect(drawing).toHaveAttribute("aria-label", /^Round-trip time over the last hour\. .*latest \d/);
    await expect(panel.getByText("Showing the last hour; refreshes every 30 s.")).toBeVisible();
    await snap(page, "tenant-chart-1h");
    await ranges.locator("label").filter({ hasText: /^24 h$/ }).click();
    await expect(ranges.getByRole("radio", { name: "24 h" })).toBeChecked();
    await expect(drawing).toHaveAttribute("aria-label", /^Round-trip time over the last 24 hours\./);
    await expect(panel.getByText("Showing the last 24 hours; refreshes every 30 s.")).toBeVisible();

    // Contoso has one tunnel: the evaluation says so as a tenant-wide warning.
    const warnings = page.getByRole("region", { name: /^Warnings/ });
    await expect(warnings.getByRole("listitem").filter({ hasText: "Single point of failure" })).toContainText("whole tenant", { timeout: FIRST_EVALUATION_MS });
    const api = (await (await page.request.get("/api/v1/tenants/contoso/warnings")).json()) as { active: { kind: string }[] };
    expect(api.active.map((w) => w.kind)).toContain("single-point-of-failure");
    await expect(warnings.getByRole("heading")).toContainText(/\d+ active/);

    // Operators' controls are not there for a tenant's own user.
    for (const name of ["Remove tunnel", "Offboard", "Add tunnel"]) await expect(page.getByRole("button", { name })).toHaveCount(0);
    await expect(page.getByRole("form", { name: "Add a tunnel" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    // Nor the admin portal's navigation: their header is their own network's.
    await expect(page.getByRole("navigation", { name: "admin" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Bridgehead my network" })).toHaveAttribute("href", "/t/contoso");
    await snap(page, "tenant-alice");

    const other = await page.goto("/t/fabrikam");
    expect(other?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText("Fabrikam")).toHaveCount(0);
  });
});

/** Rotates one end's agent token on the tenant page, as an admin would, and returns the new token. */
/** A new token for one end, with the old one revoked at once: the simulated agent holding it is cut off. */
async function rotateToken(page: Page, endpoint: RegExp): Promise<string> {
  const row = page.getByRole("listitem", { name: endpoint });
  await row.getByRole("button", { name: "Rotate token" }).click();
  const code = row.getByRole("status").locator("code");
  await expect(code).toHaveText(/^agt_/);
  const token = (await code.textContent())!;
  // A rotation keeps the previous token working for its grace window; taking the end over
  // from the simulated agent means revoking it now, as for a leaked token.
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke previous token now" }).click();
  await expect(row.getByRole("status")).toHaveText(/^The previous token of .+ no longer works\.$/);
  return token;
}

async function asAdmin<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ storageState: storageStateOf("admin"), ignoreHTTPSErrors: true });
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}

test.describe("the NOC wall", () => {
  test.use({ storageState: storageStateOf("noc") });

  test("shows one tile per tunnel of every tenant in service, as the API lists them", async ({ page }) => {
    await page.goto("/noc");
    const tiles = wallTiles(page);
    await expect(tiles.first()).toBeVisible();
    const snapshot = (await (await page.request.get("/api/v1/noc")).json()) as { tiles: { label: string }[] };
    expect(snapshot.tiles.length).toBeGreaterThanOrEqual(11);
    await expect(tiles).toHaveCount(snapshot.tiles.length);
    await expect(page.getByText(`${snapshot.tiles.length} tunnels`, { exact: true })).toBeVisible();
    // Each tile names its tunnel: every one the API lists is on the wall.
    const spoken = await tiles.locator(".sr-only").allTextContents();
    expect(spoken.map((text) => text.split(":")[0]).sort()).toEqual(snapshot.tiles.map((tile) => tile.label).sort());
    for (const label of ["contoso/primary", "fabrikam/primary", "alpine/redundant", "fourthcoffee/primary"]) expect(spoken.join("\n")).toContain(`${label}: `);
    await snap(page, "noc-wall");
  });

  test("turns a tunnel's tile to Down within one evaluation and one refresh of it going down", async ({ page, browser, baseURL }) => {
    test.setTimeout(FIRST_EVALUATION_MS + 90_000);
    await page.goto("/noc");
    const tile = wallTiles(page).filter({ hasText: "fourthcoffee/primary" });
    await expect(tile).toBeVisible();
    // Fourth Coffee's demo tunnels are healthy: once evaluated, its primary is not down.
    await expect(tile.locator(".sr-only")).toHaveText(/^fourthcoffee\/primary: (Operational|Degraded)/, { timeout: FIRST_EVALUATION_MS });

    // Take both ends over from the simulated agents: new tokens, issued on the tenant page.
    const tokens = await asAdmin(browser, async (admin) => {
      await admin.goto("/t/fourthcoffee");
      return [await rotateToken(admin, /^Source-site gateway fourthcoffee-gw1$/), await rotateToken(admin, /^AVS edge bridge fourthcoffee-bridge1$/)];
    });

    // Each end now reports total loss, as a real agent does when the far end stops answering.
    // Three samples meet the default damping (3 in a row); they are a second apart so that all
    // of them are newer than anything the simulated agents sent before their tokens changed.
    const agent = await apiRequest.newContext({ baseURL, ignoreHTTPSErrors: true });
    const start = Date.now();
    const samples = [0, 1, 2].map((i) => ({ measuredAt: new Date(start + i * 1000).toISOString(), rttMs: null, jitterMs: null, lossPct: 100 }));
    for (const token of tokens) {
      const response = await agent.post("/api/v1/telemetry", { headers: { authorization: `Bearer ${token}` }, data: { samples } });
      expect(response.status(), await response.text()).toBe(202);
    }
    await agent.dispose();

    // One evaluation (15 s) plus one wall refresh (15 s), with room for the request itself.
    await expect(tile.locator(".sr-only")).toHaveText(/^fourthcoffee\/primary: Down/, { timeout: 45_000 });
    await expect(tile).toContainText("Down");
    console.log(`tile went Down ${((Date.now() - start) / 1000).toFixed(1)} s after the outage was reported`);
    await snap(page, "noc-tunnel-down");
  });

  test("says its data is stale when refreshes fail, keeps the last tiles, and recovers", async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto("/noc");
    const tiles = wallTiles(page);
    await expect(tiles.first()).toBeVisible();
    const shown = await tiles.count();
    const banner = page.getByText(/Data stale: last update \d+ s ago/);
    await expect(banner).toHaveCount(0);

    await page.route("**/api/v1/noc", (route) => route.abort("connectionrefused"));
    const cutAt = Date.now();
    // Stale is "no good refresh for two intervals" (30 s); the banner's clock ticks every 5 s.
    await expect(banner).toBeVisible({ timeout: 45_000 });
    console.log(`stale banner shown ${((Date.now() - cutAt) / 1000).toFixed(1)} s after refreshes started failing`);
    await expect(tiles).toHaveCount(shown);
    await snap(page, "noc-stale");

    await page.unroute("**/api/v1/noc");
    await expect(banner).toHaveCount(0, { timeout: 25_000 });
  });
});
