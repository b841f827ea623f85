import { expect, test } from "@playwright/test";
import { storageStateOf } from "./support/personas";

test("the start page shows the console's modes and leads to each audience's view", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Bridgehead" })).toBeVisible();
  const status = page.getByRole("region", { name: "System status" });
  await expect(status.getByRole("status")).toHaveText("All systems answering");
  await expect(status).toContainText("Embedded PGlite");
  await expect(status).toContainText("Built-in AVS emulator");
  await expect(status).toContainText("Built-in sign-in");
  await page.screenshot({ path: test.info().outputPath("home.png"), fullPage: true });

  // Not signed in: the admin portal sends the visitor to sign in, and back afterwards.
  await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: /Admin portal/ }).click();
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fadmin$/);
  await expect(page.getByRole("button", { name: "Sign in with the built-in provider" })).toBeVisible();
});

test.describe("as an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("the admin portal shows the fleet's numbers", async ({ page }) => {
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Fleet overview" })).toBeVisible();
    // Every tunnel status and every warning severity has its number, each a link to the list behind it.
    await expect(page.getByRole("region", { name: "Tunnels by status" }).getByRole("link", { name: /^\d+ tunnels (operational|degraded|down|stale|maintenance)$/ })).toHaveCount(5);
    await expect(page.getByRole("region", { name: "Open warnings" }).getByRole("link", { name: /^(Critical|Warning|Info) \d+$/ })).toHaveCount(3);
    await page.screenshot({ path: test.info().outputPath("admin.png"), fullPage: true });
  });
});

test.describe("as a NOC viewer", () => {
  test.use({ storageState: storageStateOf("noc") });

  test("the NOC wall is dark and shows every tunnel status with a word, not colour alone", async ({ page }) => {
    await page.goto("/noc");
    const statuses = page.getByRole("list", { name: "Tunnels by status" }).getByRole("listitem");
    await expect(statuses).toHaveCount(5);
    for (const label of ["Operational", "Degraded", "Down", "Stale", "Maintenance"]) {
      await expect(statuses.filter({ hasText: label })).toHaveCount(1);
    }
    const background = await page.getByRole("main").evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor);
    expect(background).toBe("rgb(0, 0, 0)");
    await page.screenshot({ path: test.info().outputPath("noc.png"), fullPage: true });
  });
});

test("an unknown address gets the console's not-found page", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
