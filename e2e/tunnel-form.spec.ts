import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";

async function snap(page: Page, view: string) {
  const path = test.info().outputPath(`${view}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(view, { path, contentType: "image/png" });
}

test.use({ storageState: storageStateOf("admin") });

test("the tunnel form refuses, by field and with the reason, NIC names the chosen platforms cannot take, and stores nothing", async ({ page }) => {
  await page.goto("/t/contoso");
  const form = page.getByRole("form", { name: "Add a tunnel" });
  // Contoso is an IPsec VPN tenant: both suites are offered, the default chosen.
  const suite = form.getByLabel(/IPsec suite/);
  await expect(suite).toHaveValue("aes256gcm-ecp384");
  await expect(suite.getByRole("option")).toHaveText(["AES-256-GCM, PRF SHA-384, ECP-384 (default)", "AES-128-GCM, PRF SHA-256, ECP-256"]);
  await suite.selectOption("aes128gcm-ecp256");

  const source = form.getByRole("group", { name: "Source-site gateway" });
  const avs = form.getByRole("group", { name: /AVS edge bridge/ });
  await source.getByLabel(/^Platform/).selectOption({ label: "Cisco IOS XE" });
  await source.getByLabel("Host name").fill("contoso-gw9");
  // Not contoso-gw1's address: the two tunnels of a pair need two source gateways.
  await source.getByLabel("Underlay address").fill("198.51.100.99");
  await source.getByLabel("Underlay NIC (empty: platform default)").fill("ens18");
  await avs.getByLabel("Host name").fill("contoso-bridge9");
  await avs.getByLabel("Underlay address").fill("10.120.8.99");
  const avsLan = avs.getByLabel("Tenant-side NIC (empty: platform default)");
  await avsLan.fill("ens224abcdefghij");
  await form.getByRole("button", { name: "Add tunnel" }).click();

  // The edge bridge is Linux: a 16-character name is refused before anything else.
  await expect(avsLan).toHaveAttribute("aria-invalid", "true");
  await expect(avs.getByText(/Linux interface names are at most 15/)).toBeVisible();
  await snap(page, "tunnel-form-avs-nic");

  // Fixed, the IOS XE platform's own refusal of a Linux name comes back on its field.
  await avsLan.fill("ens224");
  await form.getByRole("button", { name: "Add tunnel" }).click();
  const sourceNic = source.getByLabel("Underlay NIC (empty: platform default)");
  await expect(sourceNic).toHaveAttribute("aria-invalid", "true");
  await expect(source.getByText(/IOS XE has no interface "ens18"/)).toBeVisible();
  await expect(avsLan).not.toHaveAttribute("aria-invalid", "true");
  await snap(page, "tunnel-form-platform-nic");

  // Nothing was stored: contoso still has its one tunnel.
  const tenant = (await (await page.request.get("/api/v1/tenants/contoso")).json()) as { tunnels: { name: string }[] };
  expect(tenant.tunnels.map((t) => t.name)).toEqual(["primary"]);
});
