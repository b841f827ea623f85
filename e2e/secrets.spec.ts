import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** Every text body the page receives from now on: HTML, RSC payloads, JSON, scripts. */
function recordBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (/javascript|json|html|text|x-component/.test(type)) bodies.push(await response.text().catch(() => ""));
  });
  return bodies;
}

async function visit(page: Page, urls: string[]) {
  for (const url of urls) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
  }
}

/** The console's keys, in every encoding a leak could take: sessions, stored secrets, ID tokens. */
function keyMaterial(): string[] {
  const dataDir = process.env.E2E_DATA_DIR!;
  const rawKeys = ["session.key", "secrets.key"].map((name) => fs.readFileSync(path.join(dataDir, "secrets", name)));
  const signingKey = JSON.parse(fs.readFileSync(path.join(dataDir, "secrets", "oidc-signing-key.json"), "utf8")) as { d: string; p: string };
  return [...rawKeys.flatMap((key) => [key.toString("hex"), key.toString("base64"), key.toString("base64url")]), signingKey.d, signingKey.p];
}

test.describe("as an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("no key, no display token and no token hash reaches the browser; the session cookie is invisible to scripts", async ({ page }) => {
    await page.goto("/admin/access");
    const form = page.getByRole("form", { name: "Create a NOC display" });
    await form.getByLabel("Display name").fill("Secrets check wall");
    await form.getByRole("button", { name: "Create display link" }).click();
    const link = await form.getByRole("link", { name: "Display link" }).getAttribute("href");
    const token = new URL(link!).hash.slice(1);

    const bodies = recordBodies(page);
    await visit(page, ["/admin", "/admin/access", "/t/contoso", "/signin", "/oidc/jwks", "/oidc/.well-known/openid-configuration"]);
    expect(bodies.length).toBeGreaterThan(10);
    expect(bodies.some((b) => b.includes("Secrets check wall"))).toBe(true);
    for (const needle of [...keyMaterial(), token, sha256(token)]) {
      expect(bodies.some((body) => body.includes(needle)), `leaked ${needle.slice(0, 8)}…`).toBe(false);
    }
    expect(await page.evaluate(() => document.cookie)).not.toContain("bh_session");
  });
});

test.describe("as a tenant admin", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("an agent token is shown once and neither it nor its hash comes back later", async ({ page }) => {
    await page.goto("/t/contoso");
    const gateway = page.getByRole("listitem", { name: /AVS edge bridge contoso-bridge1/ });
    await gateway.getByRole("button", { name: /token/ }).click();
    const token = (await gateway.getByRole("status").locator("code").textContent())!;
    expect(token).toMatch(/^agt_/);

    const bodies = recordBodies(page);
    await visit(page, ["/t/contoso", "/api/v1/tenants/contoso"]);
    expect(bodies.some((b) => b.includes("contoso-bridge1"))).toBe(true);
    for (const needle of [...keyMaterial(), token, sha256(token)]) {
      expect(bodies.some((body) => body.includes(needle)), `leaked ${needle.slice(0, 8)}…`).toBe(false);
    }
  });
});
