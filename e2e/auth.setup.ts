import { expect, test as setup } from "@playwright/test";
import { PERSONAS, signIn, storageStateOf, type PersonaName } from "./support/personas";

for (const persona of Object.keys(PERSONAS) as PersonaName[]) {
  setup(`${persona} signs in through MSAL and lands on ${PERSONAS[persona].home}`, async ({ page }) => {
    await signIn(page, persona);
    await page.waitForURL(`**${PERSONAS[persona].home}`);
    await expect(page.getByRole("button", { name: "Sign out" }).or(page.getByRole("heading", { name: "Bridgehead NOC" }))).toBeVisible();
    await page.context().storageState({ path: storageStateOf(persona) });
  });
}
