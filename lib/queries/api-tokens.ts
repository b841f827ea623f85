import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { apiTokens, tenants } from "@/lib/db/schema";

/** Every token for the Settings page: never the secret (only its hash is stored anyway). */
export async function listApiTokens(db: Database) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      tenantSlug: tenants.slug,
      createdBy: apiTokens.createdBy,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      revokedBy: apiTokens.revokedBy,
    })
    .from(apiTokens)
    .leftJoin(tenants, eq(tenants.id, apiTokens.tenantId))
    .orderBy(desc(apiTokens.createdAt));
}
export type ApiTokenRow = Awaited<ReturnType<typeof listApiTokens>>[number];
