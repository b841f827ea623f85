/**
 * The console's own session: an encrypted, authenticated JWT (JWE, dir + A256GCM) in an
 * httpOnly, Secure, SameSite=Lax cookie. Tampering breaks the GCM tag; expiry is enforced both
 * by the token's `exp` and the cookie's Max-Age.
 */
import "server-only";
import path from "node:path";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";
import type { AppConfig } from "@/lib/config";
import { loadKey } from "@/lib/server/key-file";
import { processSlot } from "@/lib/server/process-slot";

import { SESSION_COOKIE } from "./cookie-name";

export { SESSION_COOKIE };

export const USER_SESSION_SECONDS = 8 * 3600;
/** A wall screen runs unattended; browsers cap a cookie's life at 400 days. */
export const DISPLAY_SESSION_SECONDS = 400 * 24 * 3600;

/**
 * The cookie carries who the session is and the id of its record (the `sessions` table), which
 * is the authority on whether it is still alive: a cookie without a live record is refused.
 */
const sessionClaims = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("user"),
    sessionId: z.string().uuid(),
    userId: z.string().uuid(),
    /** The identity provider's stable id (Entra `oid`, built-in `sub`): memberships may name it. */
    subject: z.string().min(1),
    signInName: z.string().min(1),
    name: z.string(),
    roles: z.array(z.enum(["admin", "noc-viewer"])),
  }),
  z.object({ kind: z.literal("display"), sessionId: z.string().uuid(), displayId: z.string().uuid(), name: z.string() }),
]);
export type SessionClaims = z.infer<typeof sessionClaims>;

export async function sealSession(claims: SessionClaims, key: Uint8Array, ttlSeconds: number): Promise<string> {
  return new EncryptJWT({ ...claims })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(key);
}

/** The claims of a valid, unexpired session; null for anything else (tampered, expired, garbage). */
export async function openSession(token: string | undefined, key: Uint8Array): Promise<SessionClaims | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtDecrypt(token, key, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
    const parsed = sessionClaims.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`;
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const sessionKey = processSlot<Uint8Array>("session-key");

/**
 * 32 bytes: derived from SESSION_SECRET when set (every instance derives the same key),
 * otherwise a random key kept in DATA_DIR/secrets/session.key.
 */
export function getSessionKey(config: AppConfig): Uint8Array {
  return sessionKey.getOrCreate(() =>
    loadKey({
      secret: config.sessionSecret,
      purpose: "session",
      file: path.join(config.dataDir, "secrets", "session.key"),
      whenDamaged: "Delete it to have a new one made (everyone signs in again).",
    }),
  );
}
