import { expect, test } from "@playwright/test";
import { PERSONAS, signIn, storageStateOf } from "./support/personas";

test.describe("a tenant user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("sees their own tenant and cannot reach another's, by page or by API", async ({ page, request }) => {
    await page.goto("/tenant");
    await expect(page).toHaveURL(/\/t\/contoso$/);
    await expect(page.getByRole("heading", { name: "Contoso Manufacturing" })).toBeVisible();
    await expect(page.getByText("192.168.10.0/24")).toBeVisible();
    // Contoso's 1500-byte underlay with IPsec cannot carry 1500-byte frames: said, with the fixes.
    const mtu = page.getByRole("region", { name: "MTU budget" });
    await expect(mtu).toContainText("underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337");
    await expect(mtu.getByRole("alert")).toContainText("Raise the underlay MTU to at least 1623, or set the workloads' MTU to 1377 and clamp TCP MSS to 1337");
    await expect(page.getByRole("link", { name: "Access" })).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath("tenant-contoso.png"), fullPage: true });

    const other = await page.goto("/t/fabrikam");
    expect(other?.status()).toBe(404);
    await expect(page.getByText("Fabrikam")).toHaveCount(0);
    expect((await page.request.get("/api/v1/tenants/fabrikam")).status()).toBe(404);
    expect((await page.request.get("/api/v1/tenants/contoso")).status()).toBe(200);
    // Without the session cookie the API asks for sign-in.
    expect((await request.get("/api/v1/tenants/contoso", { headers: { cookie: "" } })).status()).toBe(401);
  });

  test("rotates their own agent token and sees it once; the old one works until revoked, and the page says which one the agent uses", async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto("/t/contoso");
    const gateway = page.getByRole("listitem", { name: /Source-site gateway contoso-gw1/ });
    await gateway.getByRole("button", { name: /token/ }).click();
    await expect(gateway.getByRole("status")).toContainText("shown only once");
    await expect(gateway.getByRole("status")).toContainText(/The previous token keeps working until .+ UTC; revoke it now if it leaked\./);
    await expect(gateway.getByRole("status").locator("code")).toHaveText(/^agt_[\w-]{43}$/);
    await page.reload();
    await expect(gateway).toContainText("token issued");
    await expect(gateway.locator("code")).toHaveCount(0);

    // The demo's agent for this end still holds the old token: it keeps reporting, and the page says so.
    await expect
      .poll(async () => {
        await page.reload();
        return gateway.innerText();
      }, { timeout: 45_000, intervals: [2_000] })
      .toContain("The agent still reports with the previous token");
    await page.screenshot({ path: test.info().outputPath("agent-token-previous.png"), fullPage: true });

    page.once("dialog", (dialog) => void dialog.accept());
    await gateway.getByRole("button", { name: "Revoke previous token now" }).click();
    await expect(gateway.getByRole("status")).toHaveText("The previous token of contoso-gw1 no longer works.");
    // The demo's agent still holds only the old token: cut off, as a real agent would be until
    // someone deploys the new one, and the page says so.
    await page.reload();
    await expect(gateway.getByRole("button", { name: "Revoke previous token now" })).toHaveCount(0);
    await expect(gateway).toContainText(/The agent last reported at .+ UTC with a token that no longer works: deploy the current one\./);
  });

  test("is refused the admin portal", async ({ page }) => {
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  });
});

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("makes a NOC display link that signs one wall screen in, once; a new link signs in another; revoking ends both", async ({ page, browser }) => {
    await page.goto("/admin/access");
    const form = page.getByRole("form", { name: "Create a NOC display" });
    await form.getByLabel("Display name").fill("Wall <script>");
    await form.getByRole("button", { name: "Create display link" }).click();
    await expect(form.getByText(/Use letters, digits/)).toBeVisible();
    await expect(form.getByLabel("Display name")).toHaveAttribute("aria-invalid", "true");

    await form.getByLabel("Display name").fill("Ops wall 3");
    await form.getByRole("button", { name: "Create display link" }).click();
    const link = await form.getByRole("link", { name: "Display link" }).getAttribute("href");
    expect(link).toMatch(/\/noc\/connect#noc_[\w-]{43}$/);

    const openOnScreen = async (url: string) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1920, height: 1080 } });
      const screen = await context.newPage();
      await screen.goto(url);
      return { context, screen };
    };
    const first = await openOnScreen(link!);
    await expect(first.screen).toHaveURL(/\/noc$/);
    await expect(first.screen.getByRole("heading", { name: "Bridgehead NOC" })).toBeVisible();
    await expect(first.screen.getByRole("button", { name: "Sign out" })).toHaveCount(0);

    // The same link on a second screen: refused, saying when and whom to ask.
    const second = await openOnScreen(link!);
    await expect(second.screen.getByText(/^This display link was already used, on .+ UTC/)).toBeVisible();
    await expect(second.screen.getByText(/Ask admin@bridgehead\.example, who issued it, or another Bridgehead admin/)).toBeVisible();
    await expect(second.screen).toHaveURL(/\/noc\/connect$/);
    await second.screen.screenshot({ path: test.info().outputPath("display-link-used.png") });

    await page.reload();
    const row = page.getByRole("row", { name: /Ops wall 3/ });
    await expect(row).toContainText(/Used \d/);
    await expect(row.getByRole("list", { name: "Sessions of Ops wall 3" }).getByRole("listitem")).toHaveCount(1);

    // A new link for the second screen.
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Issue a new link" }).click();
    const fresh = await row.getByRole("link", { name: "New link for Ops wall 3" }).getAttribute("href");
    expect(fresh).not.toBe(link);
    // With the wall's settings on the link: they carry over to the wall.
    await second.screen.goto(fresh!.replace("#", "?rotate=30&theme=light#"));
    await expect(second.screen).toHaveURL(/\/noc\?rotate=30&theme=light$/);
    await expect(second.screen.locator('[data-wall-theme="light"]:not([data-wall-loading])')).toBeVisible();
    await page.reload();
    await expect(row.getByRole("list", { name: "Sessions of Ops wall 3" }).getByRole("listitem")).toHaveCount(2);
    await page.screenshot({ path: test.info().outputPath("access-displays.png"), fullPage: true });

    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("Revoked");

    for (const { screen, context } of [first, second]) {
      await screen.reload();
      await expect(screen).toHaveURL(/\/signin/);
      await context.close();
    }
  });

  test("ends a signed-in person's sessions; their next request asks them to sign in", async ({ page, browser, baseURL }) => {
    const bobContext = await browser.newContext({ ignoreHTTPSErrors: true, baseURL });
    const bob = await bobContext.newPage();
    try {
      await signIn(bob, "bob");
      await bob.waitForURL(`**${PERSONAS.bob.home}`);

      await page.goto("/admin/access");
      const row = page.getByRole("region", { name: "Signed-in people" }).getByRole("row", { name: /bob@fabrikam\.example/ });
      await expect(row).toBeVisible();
      page.once("dialog", (dialog) => void dialog.accept());
      await row.getByRole("button", { name: "End sessions" }).click();
      // The page refreshes: bob is no longer signed in anywhere.
      await expect(row).toHaveCount(0);

      await bob.reload();
      await expect(bob).toHaveURL(/\/signin\?returnTo=%2Ft%2Ffabrikam/);
    } finally {
      await bobContext.close();
      // Every session of bob's ended, the one other specs load from e2e/.auth too: sign him in
      // afresh, as the setup project does, and save it, whatever happened above.
      const fresh = await browser.newContext({ ignoreHTTPSErrors: true, baseURL });
      const again = await fresh.newPage();
      await signIn(again, "bob");
      await again.waitForURL(`**${PERSONAS.bob.home}`);
      await fresh.storageState({ path: storageStateOf("bob") });
      await fresh.close();
    }
  });
});

test("signing out ends the console session everywhere, and the provider's", async ({ page, browser, baseURL }) => {
  await signIn(page, "bob");
  await page.waitForURL(`**${PERSONAS.bob.home}`);
  // What someone who copied the cookie before sign-out would hold.
  const copied = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin\?signedOut=1/);
  await expect(page.getByRole("status")).toHaveText("You are signed out.");

  const response = await page.goto("/t/fabrikam");
  await expect(page).toHaveURL(/\/signin\?returnTo=/);
  expect(response?.ok()).toBe(true);
  // The provider asks for the password again: its session ended too.
  await page.getByRole("button", { name: /Sign in with/ }).click();
  await expect(page.getByLabel("Password")).toBeVisible();

  // The copied cookie no longer works: the session record ended with the sign-out.
  const thief = await browser.newContext({ ignoreHTTPSErrors: true, baseURL });
  await thief.addCookies(copied.filter((cookie) => cookie.name === "__Host-bh_session"));
  expect((await thief.request.get("/api/v1/tenants/fabrikam")).status()).toBe(401);
  const stolen = await thief.newPage();
  await stolen.goto("/t/fabrikam");
  await expect(stolen).toHaveURL(/\/signin\?returnTo=/);
  await thief.close();
});

test("signing in from a protected page returns there", async ({ page }) => {
  await signIn(page, "admin", "/admin/access");
  await page.waitForURL(/\/admin\/access$/);
  await expect(page.getByRole("heading", { name: "Tenant members" })).toBeVisible();
});

test("a wrong password is refused on the provider's page with a message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByRole("button", { name: /Sign in with/ }).click();
  await page.getByLabel("Sign-in name").fill("admin@bridgehead.example");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That sign-in name and password do not match a demo account.");
});
