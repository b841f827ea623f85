/**
 * The console's 32-byte keys (sessions, stored secrets): derived from a configured secret, so
 * every instance behind a load balancer derives the same key, or else made once at random and
 * kept in a file only the console's user can read.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type KeySource = {
  /** The configured secret (SESSION_SECRET, SECRETS_KEY), when there is one. */
  secret: string | undefined;
  /** Bound into the derivation, so one secret set for two purposes still gives two keys. */
  purpose: string;
  /** Where the random key lives when no secret is configured. */
  file: string;
  /** What to tell the operator when the file holds something that is not a key. */
  whenDamaged: string;
};

export const KEY_BYTES = 32;

export function loadKey({ secret, purpose, file, whenDamaged }: KeySource): Uint8Array {
  if (secret) return createHash("sha256").update(`bridgehead-${purpose}:${secret}`).digest();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // "wx": when two processes start together, the second finds the first's key, never overwrites it.
    fs.writeFileSync(file, randomBytes(KEY_BYTES), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) throw new Error(`${file} is not a ${KEY_BYTES}-byte key. ${whenDamaged}`);
  return key;
}
