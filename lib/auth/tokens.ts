import { createHash, randomBytes } from "node:crypto";

/** A bearer secret: 32 random bytes, URL-safe. Shown once; only its hash is stored. */
export function newBearerToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/**
 * SHA-256 is enough for tokens with 256 bits of entropy: unlike passwords they cannot be
 * guessed, so a slow hash would only slow every request down.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
