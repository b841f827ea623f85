/**
 * API tokens: an admin creates a named token with a scope, optionally one tenant, and an expiry;
 * the secret is shown once and only its hash is stored. Revoking stops it at the next request.
 */
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import { API_TOKEN_PREFIX } from "@/lib/auth/api-tokens";
import type { Principal } from "@/lib/auth/permissions";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { apiTokens, tenants } from "@/lib/db/schema";
import type { CreateApiTokenInput } from "@/lib/validation/api-token";
import type { CommandRefusal } from "./result";

const DAY_MS = 24 * 3600_000;

export async function createApiToken(
  db: Database,
  actor: Principal,
  input: CreateApiTokenInput,
  now = new Date(),
): Promise<{ ok: true; id: string; token: string; expiresAt: Date } | CommandRefusal> {
  const token = newBearerToken(API_TOKEN_PREFIX);
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  try {
    return await db.transaction(async (tx) => {
      let tenantId: string | null = null;
      if (input.tenantSlug) {
        // Shared lock: an offboarding in flight (which revokes the tenant's tokens) waits for this
        // insert or we wait for it, so no token limited to the tenant slips past that revocation.
        const [tenant] = await tx.select({ id: tenants.id, state: tenants.state }).from(tenants).where(eq(tenants.slug, input.tenantSlug)).for("share");
        if (!tenant || tenant.state === "offboarded" || tenant.state === "offboarding") {
          return { ok: false as const, status: 400 as const, message: "Some fields need attention.", errors: { tenantSlug: [`No tenant in service has the slug “${input.tenantSlug}”.`] } };
        }
        tenantId = tenant.id;
      }
      const [row] = await tx
        .insert(apiTokens)
        .values({ name: input.name, tokenHash: hashToken(token), scope: input.scope, tenantId, createdBy: actorName(actor), createdAt: now, expiresAt })
        .returning({ id: apiTokens.id });
      await recordAudit(tx, actor, {
        action: "api-token.create",
        entityType: "api-token",
        entityId: row!.id,
        tenantId,
        after: { name: input.name, scope: input.scope, tenant: input.tenantSlug ?? null, expiresAt: expiresAt.toISOString() },
      });
      return { ok: true as const, id: row!.id, token, expiresAt };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      return { ok: false, status: 409, message: "Some fields need attention.", errors: { name: [`A token named “${input.name}” exists already; pick another name.`] } };
    }
    throw error;
  }
}

export async function revokeApiToken(db: Database, actor: Principal, id: string, now = new Date()): Promise<{ ok: true; name: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: now, revokedBy: actorName(actor) })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id, name: apiTokens.name, tenantId: apiTokens.tenantId });
    if (!row) return { ok: false as const, status: 404 as const, message: "No such token, or it is revoked already." };
    await recordAudit(tx, actor, { action: "api-token.revoke", entityType: "api-token", entityId: row.id, tenantId: row.tenantId, after: { name: row.name } });
    return { ok: true as const, name: row.name };
  });
}
