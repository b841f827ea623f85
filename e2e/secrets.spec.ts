import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { storageStateOf } from "./support/personas";

test.use({ storageState: storageStateOf("admin") });

test("no secret reaches the browser: not the session key, not the provider's private key, not the cookie", async ({ page }) => {
  const dataDir = process.env.E2E_DATA_DIR!;
  const sessionKey = fs.readFileSync(path.join(dataDir, "secrets", "session.key"));
  const signingKey = JSON.parse(fs.readFileSync(path.join(dataDir, "secrets", "oidc-signing-key.json"), "utf8")) as { d: string; p: string };
  const needles = [sessionKey.toString("hex"), sessionKey.toString("base64"), sessionKey.toString("base64url"), signingKey.d, signingKey.p];

  const bodies: string[] = [];
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (/javascript|json|html|text/.test(type)) bodies.push(await response.text().catch(() => ""));
  });
  for (const url of ["/admin", "/admin/access", "/t/contoso", "/signin", "/oidc/jwks", "/oidc/.well-known/openid-configuration"]) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
  }
  expect(bodies.length).toBeGreaterThan(10);
  for (const needle of needles) {
    expect(bodies.some((body) => body.includes(needle))).toBe(false);
  }
  await page.goto("/admin");
  expect(await page.evaluate(() => document.cookie)).not.toContain("bh_session");
});
