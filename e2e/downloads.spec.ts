import fs from "node:fs/promises";
import { unzipSync, strFromU8 } from "fflate";
import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";
import { tenantPage } from "./support/pages";

/** Contoso's only tunnel ("primary"), as the tenant API names it to whoever may read contoso. */
async function contosoTunnelId(page: Page): Promise<string> {
  const response = await page.request.get("/api/v1/tenants/contoso");
  expect(response.status()).toBe(200);
  const tenant = (await response.json()) as { tunnels: { id: string; name: string }[] };
  const primary = tenant.tunnels.find((t) => t.name === "primary");
  expect(primary, "contoso has a tunnel named primary").toBeTruthy();
  return primary!.id;
}

/** Clicks "Download all configs (zip)" on contoso's page and opens what the browser saved. */
async function downloadContosoBundle(page: Page) {
  await page.goto("/t/contoso");
  const tunnel = tenantPage(page).tunnel("primary");
  const [download] = await Promise.all([page.waitForEvent("download"), tunnel.getByRole("link", { name: "Download all configs (zip)" }).click()]);
  expect(download.suggestedFilename()).toBe("bridgehead-contoso-t1.zip");
  const bytes = await fs.readFile(await download.path());
  const entries = unzipSync(new Uint8Array(bytes));
  return Object.fromEntries(Object.entries(entries).map(([name, data]) => [name, strFromU8(data)]));
}

/** What every contoso bundle must hold: the README's apply order and the files it names. */
function expectContosoBundle(files: Record<string, string>) {
  const names = Object.keys(files);
  expect(names.every((name) => name.startsWith("bridgehead-contoso-t1/")), names.join("\n")).toBe(true);
  const readme = files["bridgehead-contoso-t1/README.md"];
  expect(readme, `README.md missing from ${names.join(", ")}`).toBeDefined();
  expect(readme).toContain("# Gateway configs: Contoso Manufacturing, tunnel primary");
  expect(readme).toContain("## Apply order");

  const apply = names.find((name) => /^bridgehead-contoso-t1\/source\/linux-iproute2\/[\w.-]+-apply\.sh$/.test(name));
  expect(apply, `no iproute2 apply script in ${names.join(", ")}`).toBeDefined();
  const script = files[apply!]!;
  expect(script.split("\n")[0]).toBe("#!/usr/bin/env bash");
  // Contoso's gateway is trunk-fed on VLAN 110: the script tags the LAN port with it.
  expect(script).toContain('ip link add link "$LAN" name "$LAN_PORT" type vlan id 110');
  // The README lists every file it ships, in the order to apply them.
  expect(readme).toContain(`\`${apply!.replace("bridgehead-contoso-t1/", "")}\``);

  // Contoso runs over IPsec: both ends get a swanctl file, each carrying the tunnel's key.
  for (const side of ["source", "avs"]) {
    const swan = names.find((name) => name.startsWith(`bridgehead-contoso-t1/${side}/strongswan/`) && name.endsWith(".conf"));
    expect(swan, `no ${side} strongSwan file in ${names.join(", ")}`).toBeDefined();
    expect(files[swan!]).toContain("auth = psk");
    // The key's base64 text is the key itself, so VyOS, IOS XE and RouterOS can take the same one.
    expect(files[swan!]).toMatch(/secret = "[A-Za-z0-9+/]{43}="/);
  }
}

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("downloads a tenant's bundle from its page: a zip with the README, the apply script and strongSwan", async ({ page }) => {
    expectContosoBundle(await downloadContosoBundle(page));

    // The download is on the tenant's audit trail, under the admin's name.
    await page.reload();
    const trail = page.getByRole("region", { name: "Audit trail" });
    await expect(trail.getByRole("row").filter({ hasText: "gateway-config.download" }).filter({ hasText: "admin@bridgehead.example" }).first()).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("tenant-after-download.png"), fullPage: true });
  });
});

test.describe("a tenant user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("downloads their own tenant's bundle and single files, each on the audit trail", async ({ page }) => {
    expectContosoBundle(await downloadContosoBundle(page));

    const tunnel = tenantPage(page).tunnel("primary");
    await tunnel.getByText("Single files").click();
    const link = tunnel.getByRole("link", { name: /^source\/linux-iproute2\/[\w.-]+-apply\.sh$/ });
    await expect(link).toBeVisible();
    const fileName = (await link.textContent())!.split("/").pop()!;
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(fileName);
    const text = await fs.readFile(await download.path(), "utf8");
    expect(text.split("\n")[0]).toBe("#!/usr/bin/env bash");
    expect(text).toContain('ip link add link "$LAN" name "$LAN_PORT" type vlan id 110');

    await page.reload();
    const trail = page.getByRole("region", { name: "Audit trail" });
    // One row for the bundle and one for the single file, both under alice's name.
    await expect(trail.getByRole("row").filter({ hasText: "gateway-config.download" }).filter({ hasText: "alice@contoso.example" })).toHaveCount(2);
    await page.screenshot({ path: test.info().outputPath("tenant-contoso-alice.png"), fullPage: true });
  });
});

test.describe("another tenant's user", () => {
  let tunnelId: string;

  test.beforeAll(async ({ browser }) => {
    const admin = await browser.newContext({ storageState: storageStateOf("admin"), ignoreHTTPSErrors: true });
    tunnelId = await contosoTunnelId(await admin.newPage());
    await admin.close();
  });

  test.use({ storageState: storageStateOf("bob") });

  test("cannot see contoso's page nor fetch its bundle or files, even with the URL", async ({ page }) => {
    const other = await page.goto("/t/contoso");
    expect(other?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText("Contoso")).toHaveCount(0);

    for (const url of [`/api/v1/tunnels/${tunnelId}/bundle`, `/api/v1/tunnels/${tunnelId}/files?path=README.md`]) {
      const response = await page.request.get(url);
      expect(response.status(), url).toBe(404);
      expect(response.headers()["content-disposition"], url).toBeUndefined();
      const body = await response.body();
      // Not a zip (PK\x03\x04), and nothing of contoso's in the refusal.
      expect(body.subarray(0, 2).toString("latin1"), url).not.toBe("PK");
      for (const needle of ["contoso", "Contoso", "192.168.10.", "198.51.100.10", "psk", "secret"]) {
        expect(body.toString("utf8"), `${url} mentions ${needle}`).not.toContain(needle);
      }
    }
    // Their own tenant's page still works: the refusal is about contoso, not a broken session.
    expect((await page.goto("/t/fabrikam"))?.status()).toBe(200);
  });
});
