import type { Page } from "@playwright/test";

/**
 * Offboards a tenant from its page as an operator does: opens the offboarding form, types the
 * slug to confirm and, where the pre-checks do not all pass, the reason to go past them.
 */
export async function offboardFromTenantPage(page: Page, tenant: { slug: string; displayName: string; reason?: string }) {
  await page.getByText("Offboard this tenant…").click();
  const form = page.getByRole("form", { name: `Offboard ${tenant.displayName}` });
  await form.getByLabel(`Type ${tenant.slug} to confirm`).fill(tenant.slug);
  if (tenant.reason) await form.getByLabel(/^Reason/).fill(tenant.reason);
  await form.getByRole("button", { name: "Offboard" }).click();
  return form;
}
