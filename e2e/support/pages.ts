/**
 * What several specs look for on the same pages, named once. Each returns Locators (the specs
 * keep their own expectations) or does one user-level step.
 */
import type { Locator, Page } from "@playwright/test";

/** The NOC wall's tunnel tiles, as the wall lists them. */
export function wallTiles(page: Page): Locator {
  return page.getByRole("list", { name: "Tunnels", exact: true }).getByRole("listitem");
}

/** A tenant's page: its segment, its tunnels and the offboarding button. */
export function tenantPage(page: Page) {
  return {
    segmentState: page.getByRole("status", { name: "Segment state" }),
    tunnel: (name: string) => page.getByRole("article", { name: `Tunnel ${name}` }),
    /** Offboards the tenant, accepting the confirmation the console asks for. */
    async offboard() {
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "Offboard" }).click();
    },
  };
}

/** The error message a form shows under a field (the element its aria-describedby names). */
export async function fieldError(page: Page, field: Locator): Promise<Locator> {
  return page.locator(`#${await field.getAttribute("aria-describedby")}`);
}
