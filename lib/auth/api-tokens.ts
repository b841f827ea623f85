/**
 * Bearer authentication for scripts and pipelines: `Authorization: Bearer bh_…`. The secret is
 * looked up by its SHA-256 (lib/auth/tokens.ts); an unknown, expired or revoked token is refused
 * with the reason, and a token that works becomes the request's principal.
 */
import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { apiTokens } from "@/lib/db/schema";
import type { TokenPrincipal } from "./permissions";
import { hashToken } from "./tokens";

export const API_TOKEN_PREFIX = "bh";
/** Last used moves at most this often, so a busy script does not write on every request. */
export const API_TOKEN_TOUCH_MS = 60_000;

const BEARER = /^Bearer\s+(\S+)$/i;

/** Whether a request speaks with a bearer token at all (then cookies are not consulted). */
export function bearerTokenOf(authorization: string | null): string | null {
  return BEARER.exec(authorization ?? "")?.[1] ?? null;
}

export type ApiTokenCheck = { ok: true; principal: TokenPrincipal } | { ok: false; reason: "unknown" | "expired" | "revoked"; name?: string };

export async function authenticateApiToken(db: Database, token: string, now = new Date()): Promise<ApiTokenCheck> {
  if (!token.startsWith(`${API_TOKEN_PREFIX}_`)) return { ok: false, reason: "unknown" };
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token)));
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked", name: row.name };
  if (row.expiresAt <= now) return { ok: false, reason: "expired", name: row.name };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= API_TOKEN_TOUCH_MS) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return { ok: true, principal: { kind: "token", source: "api-token", tokenId: row.id, name: row.name, scope: row.scope, tenantId: row.tenantId } };
}

export const API_TOKEN_REFUSALS = {
  unknown: "This API token is not known. Send 'Authorization: Bearer bh_…' with a token an admin created under Admin → Settings → API tokens.",
  expired: "This API token has expired. Ask an admin for a new one (Admin → Settings → API tokens).",
  revoked: "This API token was revoked. Ask an admin for a new one (Admin → Settings → API tokens).",
} as const;
