/**
 * The built-in identity provider's demo accounts, one per persona. Their passwords are public
 * (the README lists them) but are still kept only as scrypt hashes, as any password store should.
 * The built-in provider is never used when Entra ID is configured.
 */
import { scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export type DemoAccount = {
  /** Stable subject, as Entra's object id would be. */
  sub: string;
  signInName: string;
  name: string;
  /** App roles, spelled as in Entra's app registration. */
  roles: ("Bridgehead.Admin" | "Bridgehead.NocViewer")[];
  passwordHash: string;
};

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    sub: "0b7a6a1e-0000-4000-8000-00000000ad01",
    signInName: "admin@bridgehead.example",
    name: "Ada Admin",
    roles: ["Bridgehead.Admin"],
    passwordHash: "scrypt$13DKcReqQ8QteKX9UnFATw$k8xWrQnTZ_t6nXq4nx6AW6geGLcxB6HaJB6GY3GXqlk",
  },
  {
    sub: "0b7a6a1e-0000-4000-8000-00000000c001",
    signInName: "noc@bridgehead.example",
    name: "Nia NOC",
    roles: ["Bridgehead.NocViewer"],
    passwordHash: "scrypt$X3soRHJfFLyVA5WNbP2M1g$YulizpscMlylCXT9bcs3woprooryE-ljUazqRA-AWUA",
  },
  {
    sub: "0b7a6a1e-0000-4000-8000-0000000c0a01",
    signInName: "alice@contoso.example",
    name: "Alice (Contoso)",
    roles: [],
    passwordHash: "scrypt$kr2jxIQPYqNDQoMrbZY7Kw$QqBoAMXshp_Nta8pMipv0wUHpLKO0_h5V6eNwbO-ssc",
  },
  {
    sub: "0b7a6a1e-0000-4000-8000-0000000fab01",
    signInName: "bob@fabrikam.example",
    name: "Bob (Fabrikam)",
    roles: [],
    passwordHash: "scrypt$xkO3q5DiluTwwfbhym184Q$JX3wxZi61HbBdwge0FedQ4gtomhiGp7GwBi5okmBfUo",
  },
];

export function findDemoAccount(sub: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.sub === sub);
}

/**
 * The account whose sign-in name and password match, compared in constant time. scrypt runs on
 * the thread pool, so a burst of attempts does not stall the console's event loop.
 */
export async function verifyDemoPassword(signInName: string, password: string): Promise<DemoAccount | undefined> {
  const account = DEMO_ACCOUNTS.find((a) => a.signInName === signInName.trim().toLowerCase());
  // Hash even for an unknown name, so timing does not tell which names exist.
  const [, salt, expected] = (account?.passwordHash ?? DEMO_ACCOUNTS[0]!.passwordHash).split("$");
  const actual = await scryptAsync(password.slice(0, 1024), Buffer.from(salt!, "base64url"), 32);
  const matches = timingSafeEqual(actual, Buffer.from(expected!, "base64url"));
  return account && matches ? account : undefined;
}
