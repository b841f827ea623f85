import { expect, test } from "@playwright/test";
import { storageStateOf } from "./support/personas";

test.describe("an admin automating the console", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("creates an API token (shown once), a script uses it, the page shows it was used, and revoking stops it", async ({ page, playwright, baseURL }) => {
    await page.goto("/admin/settings/api-tokens");
    await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
    const form = page.getByRole("form", { name: "Create an API token" });
    await form.getByLabel("Token name").fill("e2e-inventory");
    await form.getByLabel("Scope").selectOption("read");
    await form.getByLabel("Expires after (days)").fill("7");
    await form.getByRole("button", { name: "Create token" }).click();
    const secret = form.getByLabel("New API token");
    await expect(secret).toHaveText(/^bh_[\w-]{43}$/);
    const token = (await secret.textContent())!;
    await page.screenshot({ path: test.info().outputPath("api-token-created.png"), fullPage: true });

    // A script, with no cookies, only the token.
    const script = await playwright.request.newContext({ baseURL, ignoreHTTPSErrors: true, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    const listed = await script.get("/api/v1/tenants?q=contoso");
    expect(listed.status()).toBe(200);
    expect(((await listed.json()) as { items: { slug: string }[] }).items.map((t) => t.slug)).toEqual(["contoso"]);
    // A read token cannot onboard.
    expect((await script.post("/api/v1/tenants", { data: {} })).status()).toBe(403);

    await page.reload();
    const row = page.getByRole("row", { name: /e2e-inventory/ });
    await expect(row).toContainText("Read, every tenant");
    await expect(row).not.toContainText("Never");
    await expect(page.getByText(token)).toHaveCount(0);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("Revoked");
    const refused = await script.get("/api/v1/tenants");
    expect(refused.status()).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/revoked/);
    await page.screenshot({ path: test.info().outputPath("api-token-revoked.png"), fullPage: true });
    await script.dispose();
  });

  test("the OpenAPI document lists the automation API", async ({ request }) => {
    const document = (await (await request.get("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/v1/tenants", "/api/v1/tenant-imports", "/api/v1/telemetry"]));
  });

  test("a dry-run import shows each row's VLAN or what is wrong, and writes nothing", async ({ page }) => {
    await page.goto("/admin/tenants");
    await page.getByRole("link", { name: "Import from CSV" }).click();
    await expect(page.getByRole("heading", { name: "Import tenants" })).toBeVisible();
    const csv = [
      "slug,displayName,contactName,contactEmail,sourceEnvironment,transport,subnet,gatewayLocation,sourceGatewayUnderlayIp",
      "e2e-import-1,Import One,Ada,ada@example.com,kvm-proxmox,ipsec-vpn,10.140.1.0/24,source,198.51.100.10",
      "e2e-import-2,Import Two,Bea,bea@example.com,kvm-proxmox,ipsec-vpn,10.140.1.0/25,source,198.51.100.11",
    ].join("\n");
    const form = page.getByRole("form", { name: "Import tenants" });
    await form.getByLabel("CSV file").setInputFiles({ name: "tenants.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await form.getByRole("button", { name: "Run" }).click();
    await expect(form.getByRole("status")).toContainText("Dry run: 1 row would be onboarded, 1 needs attention. Nothing was written.");
    const results = page.getByRole("table", { name: "Import results" });
    await expect(results.getByRole("row", { name: /e2e-import-2/ })).toContainText(/subnet: .*overlap/i);
    await expect(results.getByRole("row", { name: /e2e-import-1/ })).toContainText(/Would get VLAN \d+/);
    await page.screenshot({ path: test.info().outputPath("import-dry-run.png"), fullPage: true });
    expect((await page.request.get("/api/v1/tenants/e2e-import-1")).status()).toBe(404);
  });

  test("the import form takes a file just under the size it states, and refuses one over it by name", async ({ page }) => {
    // The form's stated limit (lib/validation/tenant-import.ts); the server action's body must carry it.
    const LIMIT = 960 * 1024;
    const head = [
      "slug,displayName,contactName,contactEmail,sourceEnvironment,transport,subnet,gatewayLocation,sourceGatewayUnderlayIp",
      "e2e-big-1,Big One,Ada,ada@example.com,kvm-proxmox,ipsec-vpn,10.141.1.0/24,source,198.51.100.12",
    ].join("\n");
    // Blank lines are skipped by the CSV reader: padding that reaches the size without more rows.
    const fileOf = (size: number) => Buffer.from(head + "\n".repeat(size - head.length));
    await page.goto("/admin/tenants/import");
    const form = page.getByRole("form", { name: "Import tenants" });

    await form.getByLabel("CSV file").setInputFiles({ name: "near-limit.csv", mimeType: "text/csv", buffer: fileOf(LIMIT - 1024) });
    await form.getByRole("button", { name: "Run" }).click();
    await expect(form.getByRole("status")).toContainText("Dry run: 1 row would be onboarded, 0 need attention. Nothing was written.");

    await form.getByLabel("CSV file").setInputFiles({ name: "over-limit.csv", mimeType: "text/csv", buffer: fileOf(LIMIT + 1024) });
    await form.getByRole("button", { name: "Run" }).click();
    await expect(form).toContainText("At most 960 KB (1000 rows) at a time.");
    await page.screenshot({ path: test.info().outputPath("import-size-limit.png"), fullPage: true });
  });
});
