import { expect, test, type Locator, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";
import { wallTiles } from "./support/pages";

/**
 * The active/standby pair as people see it: which tunnel of a two-tunnel tenant carries the
 * traffic, on the tenant page and on the NOC wall. Tailspin's demo pair is steady (tunnel 1 active,
 * tunnel 2 standing by) from the fleet's first samples, so the expectations wait only for them.
 */

async function snap(what: Page | Locator, view: string) {
  const path = test.info().outputPath(`${view}.png`);
  await ("goto" in what ? what.screenshot({ path, fullPage: true }) : what.screenshot({ path }));
  await test.info().attach(view, { path, contentType: "image/png" });
}

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("sees on the tenant page which tunnel carries the traffic and what each end reports", async ({ page }) => {
    await page.goto("/admin/tenants");
    await page.getByRole("link", { name: "Tailspin Toys" }).click();
    const panels = page.getByRole("region", { name: "Tunnel health and latency" });
    const primary = panels.getByRole("article", { name: /^primary/ });
    const redundant = panels.getByRole("article", { name: /^redundant/ });
    await expect(primary.getByText("In the active/standby pair:")).toBeVisible();
    await expect(primary.getByTitle("Both ends are active: this tunnel bridges the VLAN")).toHaveText(/Carries traffic/);
    await expect(redundant.getByTitle("Both ends stand by, ready to take over")).toHaveText(/Standby/);
    await expect(primary.getByText(/^Pair role: Active since/)).toHaveCount(2);
    await expect(redundant.getByText(/^Pair role: Standby since .*: the other tunnel's end is active$/)).toHaveCount(2);
    await snap(page, "tenant-pair");
    await snap(primary.locator("> div").first(), "tenant-pair-primary-health");
  });
});

test.describe("the NOC wall", () => {
  test.use({ storageState: storageStateOf("noc") });

  test("marks the tunnel of a pair that carries the traffic, in words for screen readers", async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto("/noc");
    const tiles = wallTiles(page);
    await expect(tiles.filter({ hasText: "tailspin/primary" })).toContainText("▶");
    await expect(tiles.filter({ hasText: "tailspin/primary" })).toContainText("in its pair: Carries traffic");
    await expect(tiles.filter({ hasText: "tailspin/redundant" })).toContainText("in its pair: Standby");
    // A tenant with one tunnel has no pair to speak of.
    await expect(tiles.filter({ hasText: "contoso/primary" })).not.toContainText("in its pair");
    await snap(page, "noc-pair");
    await snap(tiles.filter({ hasText: "tailspin/primary" }), "noc-pair-tile");
  });
});
