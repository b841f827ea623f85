import { expect, test } from "@playwright/test";
import { fillOnboarding } from "./support/onboarding";
import { storageStateOf } from "./support/personas";
import { tenantPage } from "./support/pages";

test.use({ storageState: storageStateOf("admin") });

test("onboarding a tenant shows its segment go from provisioning to ready", async ({ page }) => {
  const form = await fillOnboarding(page, { name: "Litware Labs", slug: "litware", subnet: "10.88.0.0/24", gateway: "avs" });
  await form.getByRole("button", { name: "Onboard tenant" }).click();
  await expect(page).toHaveURL(/\/t\/litware\?onboarded=1$/);

  const tenant = tenantPage(page);
  const state = tenant.segmentState;
  await expect(state).toHaveText(/(Pending|Provisioning)$/);
  await page.screenshot({ path: test.info().outputPath("segment-provisioning.png"), fullPage: true });
  await expect(state).toHaveText(/Ready$/, { timeout: 20_000 });
  await expect(page.getByRole("heading", { level: 1 }).locator("..")).toContainText("Active");
  // The segment card names the Tier-1 it is on (the stretch section names it too).
  await expect(tenant.segmentCard.getByText("TNT42-T1")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("segment-ready.png"), fullPage: true });
});

test("an injected failure shows Azure's reason, and a retry succeeds", async ({ page }) => {
  await page.goto("/admin/emulator");
  const faults = page.getByRole("form", { name: "Inject a fault" });
  await faults.getByLabel("Fault").selectOption("fail-operation");
  await faults.getByLabel("Method").selectOption("PUT");
  await faults.getByLabel("Path contains").fill("/segments/bh-adventure");
  await faults.getByRole("button", { name: "Inject fault" }).click();
  await expect(faults.getByRole("status")).toContainText("Injected: fail-operation");

  const form = await fillOnboarding(page, { name: "Adventure Works", slug: "adventure", subnet: "10.89.0.0/24" });
  await form.getByRole("button", { name: "Onboard tenant" }).click();
  await expect(page).toHaveURL(/\/t\/adventure\?onboarded=1$/);

  const card = tenantPage(page).segmentCard;
  await expect(card.getByRole("status", { name: "Segment state" })).toHaveText(/Failed$/, { timeout: 20_000 });
  await expect(card.getByRole("alert")).not.toBeEmpty();
  await page.screenshot({ path: test.info().outputPath("segment-failed.png"), fullPage: true });

  await card.getByRole("button", { name: "Retry" }).click();
  await expect(card.getByRole("status", { name: "Segment state" })).toHaveText(/Ready$/, { timeout: 20_000 });
  await expect(card.getByRole("alert")).toHaveCount(0);
});

test("the private clouds page shows what Azure holds", async ({ page }) => {
  await page.goto("/admin/clouds");
  const weu = page.getByRole("region", { name: "avs-weu-01" });
  await expect(weu).toContainText("10.120.0.0/22");
  await expect(weu).toContainText("TNT42-T1");
  await expect(weu).toContainText("(Connected)");
  await expect(page.getByRole("region", { name: "avs-neu-01" })).toContainText("northeurope");
  await page.getByRole("button", { name: "Read again" }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Read 2 private clouds from the AVS emulator.");
});
