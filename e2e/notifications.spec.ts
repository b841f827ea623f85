import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";

/**
 * Notifications as people set them up: an admin adds a webhook channel aimed at the embedded
 * defaults' built-in receiver, sends a test, and finds it in the delivery log and at the
 * receiver (signature verified); a tenant admin adds a channel of their own and sees neither the
 * operators' channels nor another tenant's.
 */

async function snap(page: Page, view: string) {
  const path = test.info().outputPath(`${view}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(view, { path, contentType: "image/png" });
}

/** The built-in webhook receiver's URL, as the channel form offers it on the embedded defaults. */
async function builtinWebhookUrl(page: Page) {
  const hint = page.getByRole("form", { name: "Add a notification channel" }).locator("code").first();
  const url = await hint.textContent();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
  return url!;
}

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("adds a webhook channel, sends a test, and sees it delivered in the log and at the receiver", async ({ page }) => {
    await page.goto("/admin");
    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Notification channels" })).toBeVisible();
    // The demo's channels, one of each kind, aimed at the built-in receivers.
    const channels = page.getByRole("table", { name: "Notification channels" });
    for (const name of ["Built-in webhook receiver", "Built-in Teams receiver", "Built-in mail sink"]) await expect(channels.getByText(name, { exact: true })).toBeVisible();

    const form = page.getByRole("form", { name: "Add a notification channel" });
    const url = await builtinWebhookUrl(page);
    // A private address is refused by field, saying what to do.
    await form.getByLabel("Name").fill("E2E hook");
    await form.getByLabel("URL (https:)").fill("https://10.0.0.7/hook");
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByText(/private-range address\. An admin can allow this host/)).toBeVisible();
    await expect(form.getByLabel("URL (https:)")).toHaveAttribute("aria-invalid", "true");

    await form.getByLabel("URL (https:)").fill(url);
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByRole("status")).toContainText("signing secret is shown only once");
    await expect(form.getByLabel("Signing secret")).toHaveText(/^whsec_[\w-]{43}$/);

    await expect(channels.getByText("E2E hook", { exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Send test to E2E hook" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Delivered\. The receiver answered: 200 OK/ })).toContainText("signature verified with channel “E2E hook”");
    await snap(page, "notification-settings");

    await page.getByRole("link", { name: "Delivery log of E2E hook" }).click();
    await expect(page.getByRole("heading", { name: "Delivery log: E2E hook" })).toBeVisible();
    const log = page.getByRole("table", { name: "Delivery log, newest first" });
    const row = log.getByRole("row").nth(1);
    await expect(row).toContainText("Test");
    await expect(row).toContainText("Delivered");
    await expect(row).toContainText("200 OK");
    await snap(page, "delivery-log");

    await page.goto("/admin/settings/notifications/inbox");
    await expect(page.getByRole("listitem").filter({ hasText: "Test from Bridgehead: channel “E2E hook” works" }).first()).toContainText("signature verified");
    await snap(page, "builtin-receiver");
  });

  test("changes a channel on its page: renamed, its stored URL never shown, its signing secret kept", async ({ page }) => {
    await page.goto("/admin/settings/notifications");
    const url = await builtinWebhookUrl(page);
    const token = "e2e-kept-token-in-query";
    const add = page.getByRole("form", { name: "Add a notification channel" });
    await add.getByLabel("Name").fill("Hook to rename");
    await add.getByLabel("URL (https:)").fill(`${url}?token=${token}`);
    await add.getByRole("button", { name: "Add channel" }).click();
    await expect(add.getByRole("status")).toContainText("signing secret is shown only once");

    await page.getByRole("link", { name: "Change Hook to rename" }).click();
    const form = page.getByRole("form", { name: "Change this channel" });
    await expect(form.getByLabel("Name")).toHaveValue("Hook to rename");
    // The stored URL is not in the field, nor anywhere in the page (the placeholder is the redacted target).
    await expect(form.getByLabel("New URL (empty: keep the stored one)")).toHaveValue("");
    await expect(form.getByLabel("New URL (empty: keep the stored one)")).toHaveAttribute("placeholder", `${url}?token=•••`);
    expect(await page.content()).not.toContain(token);

    await form.getByLabel("Name").fill("Renamed hook");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(form.getByRole("status")).toHaveText("Saved “Renamed hook”.");
    await expect(page.getByRole("heading", { name: "Delivery log: Renamed hook" })).toBeVisible();
    // Same URL and the same signing secret: the built-in receiver still verifies what it gets.
    await page.getByRole("button", { name: "Send test to Renamed hook" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Delivered\./ })).toContainText("signature verified with channel “Renamed hook”");
    await snap(page, "channel-changed");
  });

  test("sees a webhook's URL without the token it carries, in the channel list", async ({ page }) => {
    await page.goto("/admin/settings/notifications");
    const form = page.getByRole("form", { name: "Add a notification channel" });
    const url = await builtinWebhookUrl(page);
    const secret = "e2e-s3cret-in-query";
    await form.getByLabel("Name").fill("Tokened hook");
    await form.getByLabel("URL (https:)").fill(`${url}?token=${secret}`);
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByRole("status")).toContainText("signing secret is shown only once");
    const row = page.getByRole("table", { name: "Notification channels" }).getByRole("row").filter({ hasText: "Tokened hook" });
    await expect(row).toContainText(`${url}?token=•••`);
    await expect(page.locator("body")).not.toContainText(secret);
    await snap(page, "channel-url-redacted");
  });

  test("silences a down tunnel's warning, sees the silence on it, and the demo's warnings reach every built-in receiver", async ({ page }) => {
    // The first evaluation after start, plus the demo rules' 30 s group wait, plus a send round.
    test.setTimeout(240_000);
    await page.goto("/admin/settings/notifications");
    const silence = page.getByRole("form", { name: "Add a silence" });
    await silence.getByLabel("Tenant").selectOption({ label: "Proseware Logistics" });
    await silence.getByLabel("Kind").selectOption({ label: "Tunnel down" });
    await silence.getByLabel("Why").fill("Replacing the source gateway's power supply");
    await silence.getByRole("button", { name: "Silence" }).click();
    await expect(silence.getByRole("status")).toHaveText("Silenced.");
    await expect(page.getByRole("table", { name: "Silences" })).toContainText("Replacing the source gateway's power supply");

    // Proseware's demo tunnel is down from the start; its warning shows what quiets it.
    await page.goto("/t/proseware");
    const down = page.getByRole("listitem").filter({ hasText: "Tunnel down" }).first();
    await expect(down).toBeVisible({ timeout: 120_000 });
    await expect(down.getByRole("list", { name: "Quiet in notifications" })).toContainText("Silenced (operators' rules)");
    await expect(down.getByRole("list", { name: "Quiet in notifications" })).toContainText("by admin@bridgehead.example: Replacing the source gateway's power supply");
    await snap(page, "silenced-warning");

    // Meanwhile the demo's own warnings went out through its three channels.
    await page.goto("/admin/settings/notifications/inbox");
    for (const kind of ["Webhook", "Microsoft Teams", "E-mail"]) {
      const verdict = kind === "Webhook" ? "signature verified" : kind === "E-mail" ? "message parsed: plain text + HTML" : "Adaptive Card 1.4";
      await expect(page.getByRole("listitem").filter({ hasText: kind }).filter({ hasText: verdict }).filter({ hasText: /open for/ }).first()).toBeVisible({ timeout: 120_000 });
    }
    await snap(page, "builtin-receiver-demo");
  });

  test("makes a scrape token that /metrics accepts, and nothing else is accepted", async ({ page, request }) => {
    await page.goto("/admin/settings/metrics");
    const form = page.getByRole("form", { name: "Make a scrape token" });
    await form.getByLabel("Who scrapes with it").fill("prometheus-e2e");
    await form.getByRole("button", { name: "Make scrape token" }).click();
    const token = await form.getByLabel("Scrape token").textContent();
    expect(token).toMatch(/^bhm_[\w-]{43}$/);
    expect((await request.get("/metrics", { headers: { cookie: "" } })).status()).toBe(401);
    const scraped = await request.get("/metrics", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect(scraped.status()).toBe(200);
    expect(await scraped.text()).toMatch(/^bridgehead_tunnel_status\{tenant="contoso",tunnel="[a-z0-9-]+",status="operational"\} [01]$/m);
  });
});

test.describe("a tenant admin", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("adds a channel of their own, and can neither see nor route another tenant's warnings", async ({ page }) => {
    await page.goto("/t/contoso");
    await page.getByRole("link", { name: "Notifications: channels, rules and silences" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Contoso Manufacturing: notifications" })).toBeVisible();
    // The operators' channels are not theirs to see.
    await expect(page.getByText("Built-in webhook receiver")).toHaveCount(0);

    const url = await builtinWebhookUrl(page);
    const form = page.getByRole("form", { name: "Add a notification channel" });
    await form.getByLabel("Name").fill("Contoso on-call");
    await form.getByLabel("URL (https:)").fill(url);
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByLabel("Signing secret")).toBeVisible();
    await expect(page.getByRole("table", { name: "Notification channels" }).getByText("Contoso on-call", { exact: true })).toBeVisible();

    // A rule has no tenant to choose: it only ever takes Contoso's warnings, and only to Contoso's channels.
    const rule = page.getByRole("form", { name: "Add a routing rule" });
    await expect(rule.getByLabel("Tenant")).toHaveCount(0);
    const options = await rule.getByLabel("Send to").locator("option").allTextContents();
    expect(options).toEqual(["Contoso on-call"]);
    await rule.getByLabel("Severity at least").selectOption("critical");
    await rule.getByRole("button", { name: "Add rule" }).click();
    await expect(rule.getByRole("status")).toHaveText("Rule added.");
    await expect(page.getByRole("table", { name: "Routing rules" })).toContainText("Critical only");
    await page.getByRole("button", { name: "Send test to Contoso on-call" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Delivered\. The receiver answered: 200 OK/ })).toContainText("signature verified with channel “Contoso on-call”");
    await snap(page, "tenant-notifications");

    expect((await page.goto("/t/fabrikam/notifications"))?.status()).toBe(404);
    expect((await page.goto("/admin/settings/notifications"))?.status()).toBe(403);
    expect((await page.request.get("/api/v1/tenants/fabrikam/warnings")).status()).toBe(404);
  });
});
