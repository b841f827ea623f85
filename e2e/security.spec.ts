import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { describeViolations, watchViolations } from "./support/csp";
import { PERSONAS, storageStateOf, type PersonaName } from "./support/personas";

/**
 * Every page of the console, with its Content-Security-Policy on, as each audience sees it: the
 * sign-in flow through MSAL and the built-in provider's own pages, the redirect bridge, the
 * display-link page, the admin portal, the tenant page and the NOC wall. Any
 * `securitypolicyviolation` (or a CSP refusal in the console) fails the test, naming it.
 */

/** Loads a page, checks it came with a nonce policy, and lets it settle (scripts ran, data loaded). */
async function visit(page: Page, url: string, status = 200) {
  const response = await page.goto(url);
  expect(response?.status(), `${url} answered ${response?.status()}`).toBe(status);
  expect(response?.headers()["content-security-policy"], url).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
  await page.waitForLoadState("networkidle");
}

const PAGES: Record<PersonaName, [string, number?][]> = {
  admin: [
    ["/admin"],
    ["/admin/tenants"],
    ["/admin/tenants/new"],
    ["/admin/tenants/contoso/edit"],
    ["/admin/clouds"],
    ["/admin/pools"],
    ["/admin/audit"],
    ["/admin/access"],
    ["/admin/warnings"],
    ["/admin/api"],
    ["/admin/emulator"],
    ["/t/contoso"],
    ["/t/alpine"],
    ["/noc"],
  ],
  noc: [["/noc"], ["/admin"]],
  alice: [["/tenant"], ["/t/contoso"], ["/t/fabrikam", 404], ["/admin", 403]],
  bob: [["/t/fabrikam"]],
};

for (const persona of Object.keys(PAGES) as PersonaName[]) {
  test.describe(`as ${persona}`, () => {
    test.use({ storageState: storageStateOf(persona) });

    test("no page logs a CSP violation", async ({ page }) => {
      const violations = await watchViolations(page);
      for (const [url, status] of PAGES[persona]) await visit(page, url, status);
      expect(violations, describeViolations(violations)).toEqual([]);
    });
  });
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("the start page, sign-in, the bridge, the display-link page and error pages log no CSP violation", async ({ page }) => {
    const violations = await watchViolations(page);
    await visit(page, "/");
    await visit(page, "/signin?signedOut=1");
    await expect(page.getByRole("status")).toHaveText("You are signed out.");
    await visit(page, "/auth/bridge");
    await visit(page, "/noc/connect");
    await expect(page.getByText("This link has no display token.")).toBeVisible();
    await visit(page, "/no-such-page", 404);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  test("signing in through the built-in provider's pages and MSAL's bridge, and out again, logs no CSP violation", async ({ page }) => {
    const violations = await watchViolations(page);
    // Every document on the way carries a policy: the provider's pages by hash, the console's by nonce.
    const policies = new Map<string, string | undefined>();
    page.on("response", (response) => {
      if (response.request().resourceType() === "document") policies.set(new URL(response.url()).pathname, response.headers()["content-security-policy"]);
    });
    // A wrong password first: the provider's form page answers again with the error.
    await page.goto("/signin");
    await page.getByRole("button", { name: /Sign in with/ }).click();
    await page.getByLabel("Sign-in name").fill(PERSONAS.bob.signInName);
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("do not match");
    // The provider's page is styled by its hashed stylesheet, not unstyled by a refusal.
    expect(await page.getByRole("button", { name: "Sign in" }).evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(3, 105, 161)");
    await page.getByLabel("Password").fill(PERSONAS.bob.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**${PERSONAS.bob.home}`);
    await page.waitForLoadState("networkidle");
    // Signing out runs the provider's logout page, whose hashed script submits its form.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin\?signedOut=1/);
    await expect(page.getByRole("status")).toHaveText("You are signed out.");
    expect(violations, describeViolations(violations)).toEqual([]);
    const interaction = [...policies.keys()].find((path) => /^\/oidc\/interaction\/[\w-]+(\/login)?$/.test(path));
    expect(policies.get(interaction!)).toMatch(/^default-src 'none'; style-src 'sha256-[\w+/=]+'; script-src 'sha256-[\w+/=]+'/);
    expect(policies.get("/oidc/session/end")).toMatch(/script-src 'sha256-/);
    expect(policies.get("/auth/bridge")).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
    expect(policies.get("/signin")).toMatch(/'nonce-/);
  });

  test("an injected script and event handler in a page do not run, and the watch reports both", async ({ page }) => {
    const violations = await watchViolations(page);
    // What a stored cross-site-scripting hole would deliver: markup in the server's HTML.
    await page.route("**/signin", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        /<body([^>]*)>/,
        `<body$1><script>window.__injected = true</script><img alt="" src="data:," onerror="window.__handler = true">`,
      );
      await route.fulfill({ response, body: html });
    });
    await visit(page, "/signin");
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as { __handler?: boolean }).__handler)).toBeUndefined();
    await expect.poll(() => violations.map((v) => v.directive).sort()).toEqual(expect.arrayContaining(["script-src-attr", "script-src-elem"]));
    // The page itself still works: its own scripts carry the nonce.
    await expect(page.getByRole("button", { name: /Sign in with/ })).toBeEnabled();
  });
});

/**
 * Frames `url` in a page of another site and waits for the frame to settle either way. The other
 * site is a server of the test's own on 127.0.0.1: another site than https://localhost, but on
 * loopback too, so Chromium's private-network rules (which block a public page from framing
 * localhost at all) do not decide the outcome instead of the console's headers.
 */
async function frameFromAnotherSite(browser: Browser, url: string) {
  const attacker = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Win a prize</title><body></body>"));
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await page.evaluate((src) => {
      const frame = document.createElement("iframe");
      frame.src = src;
      document.body.append(frame);
    }, url);
    // A frame that frame-ancestors refused shows Chromium's error page; one allowed shows ours.
    const child = () => page.frames().find((frame) => frame !== page.mainFrame());
    await expect.poll(() => child()?.url() ?? "", { timeout: 15_000 }).toMatch(/^(chrome-error:|https:\/\/localhost)/);
    return child()!.url();
  } finally {
    await context.close();
    await new Promise((resolve) => attacker.close(resolve));
  }
}

test("another site cannot frame the admin portal, the sign-in page or the NOC wall", async ({ browser, baseURL }) => {
  for (const path of ["/admin", "/signin", "/noc"]) {
    expect(await frameFromAnotherSite(browser, `${baseURL}${path}`), path).toMatch(/^chrome-error:/);
  }
});

/** A server action's id, as the production build registered it. */
function serverActionId(name: string): string {
  const manifest = JSON.parse(fs.readFileSync(".next/server/server-reference-manifest.json", "utf8")) as { node: Record<string, { exportedName?: string }> };
  const id = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action ${name} in the build`);
  return id;
}

test.describe("server actions", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("one posted from another site is refused with 403 and a reason; from the console it runs", async ({ page, baseURL }) => {
    const post = (origin: string) =>
      page.request.post(`${baseURL}/admin/warnings`, {
        headers: { origin, "next-action": serverActionId("acknowledgeWarnings"), "content-type": "text/plain;charset=UTF-8" },
        data: JSON.stringify([{ ids: [] }]),
        maxRedirects: 0,
      });
    const foreign = await post("https://attacker.test");
    expect(foreign.status()).toBe(403);
    expect(await foreign.json()).toEqual({ error: `Refused: the request came from another site. Server actions are accepted only from pages of ${baseURL}.` });
    // The same request from the console's own origin reaches the action, which answers for itself.
    const own = await post(baseURL!);
    expect(own.status()).toBe(200);
    expect(await own.text()).toContain('"ok":false,"status":400');
  });

  test("a form another site posts at an action is refused with 403 too, and the action does not run", async ({ page, baseURL }) => {
    // What a cross-site page can really send: a multipart form naming the action in a field (it
    // cannot set Next-Action), with the admin's cookie if the browser attached it.
    const name = `Forged wall ${Date.now()}`;
    const forged = await page.request.post(`${baseURL}/admin/access`, {
      headers: { origin: "https://attacker.test" },
      multipart: { [`$ACTION_ID_${serverActionId("createDisplay")}`]: "", name },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.json()).toEqual({ error: `Refused: the request came from another site. Server actions are accepted only from pages of ${baseURL}.` });
    await page.goto("/admin/access");
    await expect(page.getByRole("heading", { name: "NOC displays" })).toBeVisible();
    await expect(page.getByText(name)).toHaveCount(0);
  });
});
