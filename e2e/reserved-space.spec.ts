import { expect, test } from "@playwright/test";
import { fillOnboarding } from "./support/onboarding";
import { storageStateOf } from "./support/personas";
import { fieldError } from "./support/pages";

test.use({ storageState: storageStateOf("admin") });

test("the reserved address space is listed per private cloud, admins add and remove ranges, and onboarding is refused over any of it", async ({ page }) => {
  await page.goto("/admin/clouds");
  const west = page.getByRole("table", { name: "Reserved in avs-weu-01" });
  await expect(west.getByRole("row", { name: /100\.64\.0\.0\/10 NSX-T transit and CGNAT space/ })).toBeVisible();
  await expect(west.getByRole("row", { name: /10\.120\.0\.0\/22 avs-weu-01's management block/ })).toBeVisible();
  // The platform's ranges cannot be removed.
  await expect(west.getByRole("row", { name: /100\.64\.0\.0\/10/ }).getByRole("button")).toHaveCount(0);

  const form = page.getByRole("form", { name: "Reserve a range" });
  await form.getByLabel("Reserved in").selectOption({ label: "avs-weu-01" });
  await form.getByLabel("Range (CIDR)").fill("10.66.1.0/16");
  await form.getByLabel("Why it is reserved").fill("Partner network");
  await form.getByRole("button", { name: "Reserve range" }).click();
  await expect(form.getByText("10.66.1.0/16 has host bits set; did you mean 10.66.0.0/16?")).toBeVisible();
  await form.getByLabel("Range (CIDR)").fill("10.66.0.0/16");
  await form.getByRole("button", { name: "Reserve range" }).click();
  await expect(form.getByRole("status")).toHaveText("10.66.0.0/16 is reserved: “Partner network”.");
  await page.reload();
  const partner = west.getByRole("row", { name: /10\.66\.0\.0\/16 Partner network/ });
  await expect(partner).toContainText("for this private cloud, by admin@bridgehead.example");
  await page.screenshot({ path: test.info().outputPath("reserved-space.png"), fullPage: true });

  for (const [subnet, named] of [
    ["100.64.5.0/24", "overlaps NSX-T transit and CGNAT space (100.64.0.0/10)"],
    ["10.66.3.0/24", "overlaps reserved range “Partner network” (10.66.0.0/16)"],
  ] as const) {
    const onboarding = await fillOnboarding(page, { name: "Reserved Space Ltd", slug: "reserved-space", subnet });
    await onboarding.getByRole("button", { name: "Onboard tenant" }).click();
    const field = onboarding.getByLabel("Subnet to stretch (CIDR)");
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(await fieldError(page, field)).toContainText(named);
  }

  await page.goto("/admin/clouds");
  page.once("dialog", (dialog) => void dialog.accept());
  await partner.getByRole("button", { name: "Remove" }).click();
  // The page refreshes without the range.
  await expect(west.getByRole("row", { name: /10\.66\.0\.0\/16/ })).toHaveCount(0);
  await page.reload();
  await expect(west.getByRole("row", { name: /10\.66\.0\.0\/16/ })).toHaveCount(0);
});
