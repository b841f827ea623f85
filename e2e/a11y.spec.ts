import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { storageStateOf, type PersonaName } from "./support/personas";
import { fieldError } from "./support/pages";

/**
 * Every page of the console through axe-core, as each audience sees it, and the keyboard paths
 * an operator relies on. A "serious" or "critical" violation fails; the message lists each one
 * with the elements it was found on and what to fix.
 */

type Violation = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number];

function describe(violations: Violation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} ${v.helpUrl}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`).join("\n")}`)
    .join("\n");
}

async function expectNoSeriousViolations(page: Page, url: string, theme = "light") {
  const response = await page.goto(url);
  expect(response?.ok(), `${url} answered ${response?.status()}`).toBe(true);
  await page.waitForLoadState("networkidle");
  // Folded-away content is part of the page too: open it so axe reads it.
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `${url}:\n${describe(serious)}`).toEqual([]);
  const slug = `${url.replace(/[^\w]+/g, "-").replace(/^-|-$/g, "") || "home"}-${theme}`;
  await page.screenshot({ path: test.info().outputPath(`${slug}.png`), fullPage: true });
}

const PAGES: Partial<Record<PersonaName | "anonymous", string[]>> = {
  anonymous: ["/signin", "/"],
  admin: [
    "/admin",
    "/admin/tenants",
    "/admin/tenants/new",
    "/admin/clouds",
    "/admin/pools",
    "/admin/audit",
    "/admin/access",
    "/admin/settings/api-tokens",
    "/admin/api",
    "/admin/tenants/import",
    "/admin/warnings",
    "/admin/emulator",
    "/t/contoso",
    // Two tunnels, and one of them in a broadcast storm: more of the tenant page is on screen.
    "/t/alpine",
  ],
  alice: ["/t/contoso"],
  noc: ["/noc"],
};

for (const [persona, urls] of Object.entries(PAGES) as [PersonaName | "anonymous", string[]][]) {
  test.describe(`as ${persona}`, () => {
    test.use({ storageState: persona === "anonymous" ? { cookies: [], origins: [] } : storageStateOf(persona) });
    for (const url of urls) {
      test(`${url} has no serious or critical axe violations`, async ({ page }) => {
        await expectNoSeriousViolations(page, url);
      });
      // The console follows a dark system setting (the wall is dark on its own): every pair of
      // colours must hold up there too.
      test(`${url} has no serious or critical axe violations in the dark theme`, async ({ page }) => {
        await page.emulateMedia({ colorScheme: "dark" });
        await expectNoSeriousViolations(page, url, "dark");
      });
    }
  });
}

/** Whether an element draws a focus indicator: an outline or a ring (box shadow). */
function drawsFocus(el: Element): boolean {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}

/** The focused element (or the element that draws its focus) shows a focus indicator. */
async function showsFocus(target: Locator): Promise<boolean> {
  return target.evaluate(drawsFocus);
}

/** Presses Tab until `target` has focus; fails after `max` presses, naming where focus went. */
async function tabTo(page: Page, target: Locator, max = 80) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
    seen.push(await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent?.slice(0, 30) ?? ""}`));
  }
  throw new Error(`Tab never reached the target after ${max} presses; focus went: ${seen.join(" → ")}`);
}

test.describe("by keyboard, a tenant user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("moves through the chart's range with the arrow keys, with focus visible", async ({ page }) => {
    await page.goto("/t/contoso");
    const group = page.getByRole("group", { name: "Time range for tunnel primary" });
    const day = group.getByRole("radio", { name: "24 h" });
    // One tab stop for the group: the checked range.
    await tabTo(page, day);
    await expect(day).toBeFocused();
    // The radio itself is visually hidden; its label's segment draws the focus.
    expect(await showsFocus(group.locator("label", { has: page.locator('input[value="24h"]') }).locator("span"))).toBe(true);

    await page.keyboard.press("ArrowLeft");
    await expect(group.getByRole("radio", { name: "6 h" })).toBeChecked();
    const hourly = page.waitForResponse((r) => r.url().endsWith("/series?range=1h") && r.ok());
    await page.keyboard.press("ArrowLeft");
    await hourly;
    await expect(group.getByRole("radio", { name: "1 h" })).toBeChecked();
    await expect(group.getByRole("radio", { name: "1 h" })).toBeFocused();
    await expect(page.getByText("Showing the last hour; refreshes every 30 s.")).toBeVisible();

    for (const range of ["6 h", "24 h", "7 d"]) {
      await page.keyboard.press("ArrowRight");
      await expect(group.getByRole("radio", { name: range })).toBeChecked();
    }
    await expect(page.getByText("Showing the last 7 days; refreshes every 30 s.")).toBeVisible();
    await page.keyboard.press("ArrowLeft");
    await expect(day).toBeChecked();
    await expect(page.getByText("Showing the last 24 hours; refreshes every 30 s.")).toBeVisible();
    // Tab leaves the group in one press: the other ranges are not extra stops.
    await page.keyboard.press("Tab");
    expect(await group.getByRole("radio").evaluateAll((radios) => radios.some((r) => r === document.activeElement))).toBe(false);
  });
});

test.describe("by keyboard, an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("selects a warning with Space and acknowledges it with Enter", async ({ page }) => {
    test.setTimeout(120_000);
    // Wingtip has a single tunnel: the evaluation opens an info warning about it.
    const url = "/admin/warnings?kind=single-point-of-failure&tenant=wingtip";
    const rows = page.getByRole("table").getByRole("row").filter({ hasText: "Wingtip Toys" });
    await expect
      .poll(
        async () => {
          await page.goto(url);
          return rows.count();
        },
        { timeout: 90_000, intervals: [5_000] },
      )
      .toBe(1);

    const box = rows.getByRole("checkbox", { name: "Select Single point of failure on wingtip" });
    await tabTo(page, box);
    expect(await showsFocus(box)).toBe(true);
    await page.keyboard.press("Space");
    await expect(box).toBeChecked();
    const acknowledge = page.getByRole("button", { name: "Acknowledge selected (1)" });
    await expect(acknowledge).toBeEnabled();
    // The button sits before the table: one Shift+Tab back from the row's checkbox.
    await page.keyboard.press("Shift+Tab");
    await expect(acknowledge).toBeFocused();
    expect(await showsFocus(acknowledge)).toBe(true);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("status").filter({ hasText: /acknowledged/i })).toBeVisible();
    await expect(rows.getByRole("cell").last()).toHaveText("Acknowledged");
    await expect(rows.getByRole("checkbox")).toHaveCount(0);
  });

  test("fills the onboarding form by keyboard alone, in order, seeing where focus is, and submits it with Enter", async ({ page }) => {
    await page.goto("/admin/tenants/new");
    const form = page.getByRole("form", { name: "Onboard a tenant" });
    // Every control a keyboard user must reach; of a radio group only the checked radio is a stop.
    const controls = form.locator("input:not([type=hidden]):not([type=radio]), input[type=radio]:checked, select, textarea, button");
    const expected = await controls.evaluateAll((els) => els.map((el) => el.id || el.textContent!.trim()));
    expect(expected).toContain("subnet");
    expect(expected.at(-1)).toBe("Onboard tenant");

    // Typed into as focus arrives (a closed select takes type-ahead); on Contoso's private cloud
    // the subnet overlaps Contoso's, so nothing is created.
    const typed: Record<string, string> = {
      displayName: "Keyboard Only Ltd",
      slug: "keyboard-only",
      privateCloudId: "avs-weu",
      "contacts.0.name": "Ada Lovelace",
      "contacts.0.email": "ada@keyboard.example",
      subnet: "192.168.10.0/25",
      sourceGatewayUnderlayIp: "203.0.113.90",
    };
    await tabTo(page, controls.first());
    const visited: string[] = [];
    // A date field takes one Tab per part (day, month, year): count it once.
    for (let presses = 0; presses < 80 && visited.at(-1) !== "Onboard tenant"; presses++) {
      // document.activeElement, not :focus: inside a date field focus sits on its parts.
      const { id, shown } = await page.evaluate(`(() => {
        const el = document.activeElement;
        return { id: el.id || el.textContent.trim(), shown: (${drawsFocus.toString()})(el) };
      })()`) as { id: string; shown: boolean };
      if (visited.at(-1) !== id) {
        visited.push(id);
        expect(shown, `no visible focus on ${id}`).toBe(true);
        if (typed[id]) await page.keyboard.type(typed[id]);
      }
      if (id !== "Onboard tenant") await page.keyboard.press("Tab");
    }
    expect(visited).toEqual(expected);

    await expect(form.getByLabel("Private cloud").locator("option:checked")).toHaveText(/^avs-weu-01 /);
    await page.keyboard.press("Enter");
    const subnet = form.getByLabel("Subnet to stretch (CIDR)");
    await expect(subnet).toHaveAttribute("aria-invalid", "true");
    await expect(await fieldError(page, subnet)).toContainText("overlaps tenant Contoso Manufacturing (192.168.10.0/24)");
    // What was typed stays, so the fix is one field.
    await expect(form.getByRole("group", { name: "Tenant" }).getByLabel("Name", { exact: true })).toHaveValue("Keyboard Only Ltd");
    await expect(form.getByRole("group", { name: "Contact 1" }).getByLabel("E-mail")).toHaveValue("ada@keyboard.example");
  });
});
