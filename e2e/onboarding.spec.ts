import { expect, test } from "@playwright/test";
import { fillOnboarding } from "./support/onboarding";
import { storageStateOf } from "./support/personas";
import { fieldError, tenantPage } from "./support/pages";

test.use({ storageState: storageStateOf("admin") });

test("an admin onboards a tenant, sees it in the list and the pool map, and offboards it into quarantine", async ({ page }) => {
  await page.goto("/admin/tenants");
  await expect(page.getByRole("link", { name: "Onboard a tenant" })).toBeVisible();

  // An overlapping subnet is refused beside the field, and nothing is created.
  let form = await fillOnboarding(page, { name: "Northwind Traders", slug: "northwind", subnet: "192.168.10.128/25" });
  await form.getByRole("button", { name: "Onboard tenant" }).click();
  const subnet = form.getByLabel("Subnet to stretch (CIDR)");
  await expect(subnet).toHaveAttribute("aria-invalid", "true");
  await expect(await fieldError(page, subnet)).toContainText("overlaps tenant Contoso Manufacturing (192.168.10.0/24)");
  await page.screenshot({ path: test.info().outputPath("onboard-overlap.png"), fullPage: true });

  await subnet.fill("10.77.0.0/24");
  await form.getByRole("button", { name: "Onboard tenant" }).click();
  // The operator lands on the new tenant's page, told what it got, with the portal still around it.
  await expect(page).toHaveURL(/\/t\/northwind\?onboarded=1$/);
  const done = page.getByRole("status").filter({ hasText: "Northwind Traders is onboarded" });
  await expect(done).toContainText(/on VLAN (\d+) \(VNI 10\1\)/);
  const vlan = Number(/VLAN (\d+)/.exec((await done.textContent())!)![1]);
  await page.getByRole("navigation", { name: "admin" }).getByRole("link", { name: "Tenants" }).click();
  await expect(page).toHaveURL(/\/admin\/tenants$/);

  await page.goto("/admin/tenants?q=northwind");
  const row = page.getByRole("row", { name: /Northwind Traders/ });
  await expect(row).toContainText(String(vlan));
  await expect(row).toContainText("10.77.0.0/24");
  await expect(row).toContainText("Onboarding");
  await page.screenshot({ path: test.info().outputPath("tenant-list.png"), fullPage: true });

  await page.goto("/admin/pools");
  await page.getByRole("navigation", { name: "Private clouds" }).getByRole("link", { name: "avs-weu-01" }).click();
  const holder = page.getByRole("row", { name: new RegExp(`^${vlan} `) });
  await expect(holder).toContainText("Northwind Traders");
  await expect(holder).toContainText("Allocated");
  await page.screenshot({ path: test.info().outputPath("pool-map.png"), fullPage: true });

  await page.goto("/t/northwind");
  const tenant = tenantPage(page);
  await expect(tenant.segmentState).toHaveText(/Ready$/, { timeout: 20_000 });
  await tenant.offboard({ slug: "northwind", displayName: "Northwind Traders", reason: "Northwind's contract has ended" });
  // The segment is in AVS by now: it is deleted first, and only then does the VLAN enter quarantine.
  await expect(page.getByRole("status").filter({ hasText: /^Offboarding/ }).or(page.getByRole("status").filter({ hasText: "Offboarded on" }))).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Offboarded on" })).toContainText(`VLAN ${vlan} is in quarantine until`, { timeout: 20_000 });

  await page.goto("/admin/pools");
  await page.getByRole("navigation", { name: "Private clouds" }).getByRole("link", { name: "avs-weu-01" }).click();
  await expect(holder).toContainText("Quarantined");
  await expect(holder).toContainText(/until \d{4}-\d{2}-\d{2}/);

  await page.goto("/admin/tenants?state=offboarded");
  await expect(page.getByRole("row", { name: /Northwind Traders/ })).toContainText("Offboarded");

  await page.goto("/t/northwind");
  const trail = page.getByRole("region", { name: "Audit trail" });
  for (const action of ["tenant.onboard", "segment.ready", "tenant.offboard", "segment.deleted", "tenant.offboarded"]) await expect(trail.getByRole("cell", { name: action, exact: true })).toBeVisible();
});

test("the tenant list keeps its search, filter, sort and page in the URL", async ({ page }) => {
  await page.goto("/admin/tenants");
  await page.getByRole("searchbox", { name: "Search" }).fill("fabrikam");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]q=fabrikam/);
  await expect(page.getByRole("row", { name: /Fabrikam Health/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Contoso/ })).toHaveCount(0);

  await page.goto("/admin/tenants?sort=vlan&dir=desc");
  await expect(page.getByRole("columnheader", { name: /VLAN/ })).toHaveAttribute("aria-sort", "descending");
  const vlans = await page.locator("tbody tr td:nth-child(3)").allInnerTexts();
  const numbers = vlans.map((v) => Number.parseInt(v, 10)).filter(Number.isFinite);
  expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
});

test("a NOC viewer may read the tenant list but gets no onboarding controls, and the form is refused", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateOf("noc"), ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto("/admin/tenants");
  await expect(page.getByRole("heading", { name: "Tenants" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Onboard a tenant" })).toHaveCount(0);
  expect((await page.goto("/admin/tenants/new"))?.status()).toBe(403);
  await context.close();
});
