import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { storageStateOf } from "./support/personas";

/**
 * The admin and tenant views' theme (the system's setting, or the person's choice, kept across
 * reloads and in the first byte of the page), the skip link and the keyboard shortcuts.
 */

async function expectAxeClean(page: Page) {
  await page.waitForLoadState("networkidle");
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help}: ${v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** The page's background as painted, as [r, g, b]. */
async function bodyBackground(page: Page): Promise<number[]> {
  const colour = await page.evaluate(() => {
    const canvas = document.createElement("canvas").getContext("2d")!;
    canvas.fillStyle = getComputedStyle(document.body).backgroundColor;
    canvas.fillRect(0, 0, 1, 1);
    return Array.from(canvas.getImageData(0, 0, 1, 1).data.slice(0, 3));
  });
  return colour;
}
const isDark = (rgb: number[]) => rgb.reduce((a, b) => a + b, 0) / 3 < 64;

for (const [persona, url] of [
  ["admin", "/admin"],
  ["alice", "/t/contoso"],
] as const) {
  test.describe(`${url} as ${persona}`, () => {
    test.use({ storageState: storageStateOf(persona) });

    for (const scheme of ["light", "dark"] as const) {
      test(`follows a ${scheme} system setting, and axe finds nothing serious`, async ({ page }) => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(url);
        expect(isDark(await bodyBackground(page))).toBe(scheme === "dark");
        await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
        await expectAxeClean(page);
        const path = test.info().outputPath(`${persona}-${scheme}.png`);
        await page.screenshot({ path, fullPage: true });
        await test.info().attach(`${persona}-${scheme}`, { path, contentType: "image/png" });
      });
    }
  });
}

/** WCAG contrast of the search box's placeholder against the box, as painted (axe does not check placeholders). */
async function placeholderContrast(page: Page): Promise<number> {
  return page.locator("#global-search").evaluate((box) => {
    const canvas = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const rgbOf = (colour: string) => {
      canvas.clearRect(0, 0, 1, 1);
      canvas.fillStyle = colour;
      canvas.fillRect(0, 0, 1, 1);
      return Array.from(canvas.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const text = luminance(rgbOf(getComputedStyle(box, "::placeholder").color));
    const background = luminance(rgbOf(getComputedStyle(box).backgroundColor));
    return (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05);
  });
}

test.describe("as an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  for (const scheme of ["light", "dark"] as const) {
    test(`the search box's placeholder is legible (AA) in the ${scheme} theme`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/admin");
      await expect(page.locator("#global-search")).toHaveAttribute("placeholder", /\S/);
      expect(await placeholderContrast(page)).toBeGreaterThanOrEqual(4.5);
    });
  }

  test("picks dark against a light system, and it stays after a reload, already in the page's first byte", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/admin");
    expect(isDark(await bodyBackground(page))).toBe(false);
    await page.getByLabel("Theme").selectOption("dark");
    await expect(page.locator("html")).toHaveClass("dark");
    expect(isDark(await bodyBackground(page))).toBe(true);

    const response = await page.reload();
    // Rendered by the server with the class: no flash of the light theme before a script runs.
    expect(await response!.text()).toMatch(/<html lang="en" class="dark"/);
    expect(isDark(await bodyBackground(page))).toBe(true);
    await expect(page.getByLabel("Theme")).toHaveValue("dark");

    // Back to following the system.
    await page.getByLabel("Theme").selectOption("system");
    await page.reload();
    expect(isDark(await bodyBackground(page))).toBe(false);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(isDark(await bodyBackground(page))).toBe(true);
  });

  test("the search results list, a result selected, is axe clean in the dark theme", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/admin");
    await page.locator("#global-search").fill("contoso");
    const results = page.getByRole("listbox", { name: "Search results" });
    await expect(results.getByRole("option").first()).toBeVisible();
    await page.locator("#global-search").press("ArrowDown");
    await expect(results.locator('[role="option"][aria-selected="true"]')).toHaveCount(1);
    const result = await new AxeBuilder({ page }).include('[role="search"]').analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });

  test("skips to the main content from the first Tab", async ({ page }) => {
    await page.goto("/admin");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to main content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("main")).toBeFocused();
  });

  test("goes to warnings and tenants with g w and g t, lists the shortcuts on ?, and leaves typing alone", async ({ page }) => {
    await page.goto("/admin");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    // The keys work once the page has hydrated: press until it answers.
    await expect(async () => {
      await page.keyboard.press("?");
      await expect(dialog).toBeVisible({ timeout: 1_000 });
    }).toPass();
    for (const text of ["Focus the search box", "Go to warnings", "Go to tenants", "Show these shortcuts"]) await expect(dialog).toContainText(text);
    // Modal: focus is inside it, and Escape gives the page back.
    await expect(dialog.getByRole("button", { name: "Close" })).toBeFocused();
    await expectAxeClean(page);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await page.keyboard.press("g");
    await page.keyboard.press("w");
    await expect(page).toHaveURL(/\/admin\/warnings$/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.keyboard.press("g");
    await page.keyboard.press("t");
    await expect(page).toHaveURL(/\/admin\/tenants$/);

    // Typing into a field types: g w there is text, not a move.
    const field = page.getByRole("main").getByRole("searchbox").or(page.getByRole("main").getByRole("textbox")).first();
    await field.click();
    await page.keyboard.type("gw?");
    await expect(field).toHaveValue(/gw\?$/);
    await expect(page).toHaveURL(/\/admin\/tenants/);
    await expect(dialog).toBeHidden();
  });

  test("focuses the header's search box on /, and does nothing where there is none", async ({ page }) => {
    await page.goto("/admin/clouds");
    const box = page.locator("#global-search");
    await expect(async () => {
      await page.keyboard.press("/");
      await expect(box).toBeFocused({ timeout: 1_000 });
    }).toPass();
    // The slash opened the search; it was not typed into it.
    await expect(box).toHaveValue("");

    // A page without the box (a principal with no search scope gets none): / is the browser's,
    // nothing moves, nothing opens. Every signed-in persona here has the box, so take it away.
    await box.blur();
    await page.evaluate(() => document.getElementById("global-search")!.closest('[role="search"]')!.remove());
    const slash = await page.evaluate(() => {
      const event = new KeyboardEvent("keydown", { key: "/", bubbles: true, cancelable: true });
      document.body.dispatchEvent(event);
      return { prevented: event.defaultPrevented, focused: document.activeElement === document.body };
    });
    expect(slash).toEqual({ prevented: false, focused: true });
    await expect(page).toHaveURL(/\/admin\/clouds$/);
  });
});

test.describe("as a tenant's own user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("g w goes to the tenant's warnings, g t to its network", async ({ page }) => {
    await page.goto("/t/contoso/notifications");
    await expect(async () => {
      await page.keyboard.press("g");
      await page.keyboard.press("w");
      await expect(page).toHaveURL(/\/t\/contoso#warnings-heading$/, { timeout: 2_000 });
    }).toPass();
    await expect(page.getByRole("heading", { name: /warnings/i }).first()).toBeVisible();
    await page.keyboard.press("g");
    await page.keyboard.press("t");
    await expect(page).toHaveURL(/\/t\/contoso$/);
  });
});
