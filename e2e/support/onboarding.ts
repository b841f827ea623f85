import type { Page } from "@playwright/test";

/** Fills the onboarding form with a valid tenant; returns the form for the caller to submit. */
export async function fillOnboarding(page: Page, values: { name: string; slug: string; subnet: string; gateway?: "source" | "avs" }) {
  await page.goto("/admin/tenants/new");
  const form = page.getByRole("form", { name: "Onboard a tenant" });
  await form.getByRole("group", { name: "Tenant" }).getByLabel("Name", { exact: true }).fill(values.name);
  await form.getByLabel(/^Slug/).fill(values.slug);
  await form.getByLabel("Private cloud").selectOption({ label: "avs-weu-01 (westeurope, 10.120.0.0/22)" });
  await form.getByLabel("Source environment").selectOption("hyper-v");
  const contact = form.getByRole("group", { name: "Contact 1" });
  await contact.getByLabel("Name").fill("Grace Hopper");
  await contact.getByLabel("E-mail").fill("grace@northwind.example");
  await form.getByLabel("Subnet to stretch (CIDR)").fill(values.subnet);
  await form.getByLabel("Default gateway").selectOption(values.gateway ?? "source");
  await form.getByLabel("Source gateway's underlay address").fill("203.0.113.50");
  await form.getByLabel("Planned cut-over date (optional)").fill("2027-06-30");
  return form;
}
