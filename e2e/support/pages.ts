/**
 * What several specs look for on the same pages, named once. Each returns Locators (the specs
 * keep their own expectations) or does one user-level step.
 */
import { expect, type Locator, type Page } from "@playwright/test";

/** The NOC wall's tunnel tiles, as the wall lists them. */
export function wallTiles(page: Page): Locator {
  return page.getByRole("list", { name: "Tunnels", exact: true }).getByRole("listitem");
}

/** The wall's drawn tunnel tiles only, each with its status: not the "+N more operational" count that may stand among them. */
export function drawnWallTiles(page: Page): Locator {
  return page.locator('ul[aria-label="Tunnels"] > li[data-status]');
}

/**
 * Waits for the wall's first page as its HTML draws it, before the whole snapshot: the header
 * counts "N tunnels" and N tiles are drawn. Returns N.
 */
export async function expectWallFirstPage(page: Page): Promise<number> {
  const heading = page.locator("h1 + p");
  await expect(heading).toHaveText(/^\d+ tunnels$/);
  const fleet = Number((await heading.textContent())!.match(/^(\d+)/)![1]);
  await expect(drawnWallTiles(page)).toHaveCount(fleet);
  return fleet;
}

/** Console errors and page errors as they come: React reports a server render it could not adopt (#418–#425) there. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** A tenant's page: its segment, its tunnels and the offboarding form. */
export function tenantPage(page: Page) {
  return {
    segmentCard: page.getByRole("region", { name: "NSX-T segment" }),
    segmentState: page.getByRole("status", { name: "Segment state" }),
    tunnel: (name: string) => page.getByRole("article", { name: `Tunnel ${name}` }),
    /**
     * Offboards the tenant as an operator does: opens the offboarding form, types the slug to
     * confirm and, where the pre-checks do not all pass, the reason to go past them.
     */
    async offboard(tenant: { slug: string; displayName: string; reason?: string }) {
      await page.getByText("Offboard this tenant…").click();
      const form = page.getByRole("form", { name: `Offboard ${tenant.displayName}` });
      await form.getByLabel(`Type ${tenant.slug} to confirm`).fill(tenant.slug);
      if (tenant.reason) await form.getByLabel(/^Reason/).fill(tenant.reason);
      await form.getByRole("button", { name: "Offboard" }).click();
      return form;
    },
  };
}

/** The error message a form shows under a field (the element its aria-describedby names). */
export async function fieldError(page: Page, field: Locator): Promise<Locator> {
  return page.locator(`#${await field.getAttribute("aria-describedby")}`);
}
