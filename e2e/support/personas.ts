import type { Page } from "@playwright/test";

/** The built-in provider's demo accounts (README) and where each lands after signing in. */
export const PERSONAS = {
  admin: { signInName: "admin@bridgehead.example", password: "admin-demo-pass", home: "/admin" },
  noc: { signInName: "noc@bridgehead.example", password: "noc-demo-pass", home: "/noc" },
  alice: { signInName: "alice@contoso.example", password: "contoso-demo-pass", home: "/t/contoso" },
  bob: { signInName: "bob@fabrikam.example", password: "fabrikam-demo-pass", home: "/t/fabrikam" },
} as const;

export type PersonaName = keyof typeof PERSONAS;

export const storageStateOf = (persona: PersonaName) => `e2e/.auth/${persona}.json`;

/** The whole interactive flow: console → MSAL redirect → provider's form → bridge → console. */
export async function signIn(page: Page, persona: PersonaName, startAt = "/signin") {
  const { signInName, password } = PERSONAS[persona];
  await page.goto(startAt);
  await page.getByRole("button", { name: /Sign in with/ }).click();
  await page.getByLabel("Sign-in name").fill(signInName);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
