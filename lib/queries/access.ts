import { asc, desc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { memberships, nocDisplays, tenants } from "@/lib/db/schema";

export async function listMemberships(db: Database) {
  return db
    .select({
      id: memberships.id,
      principal: memberships.principal,
      principalKind: memberships.principalKind,
      role: memberships.role,
      tenantSlug: tenants.slug,
      tenantName: tenants.displayName,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .orderBy(asc(tenants.displayName), asc(memberships.principal));
}

export async function listDisplays(db: Database) {
  return db
    .select({
      id: nocDisplays.id,
      name: nocDisplays.name,
      createdBy: nocDisplays.createdBy,
      createdAt: nocDisplays.createdAt,
      lastSeenAt: nocDisplays.lastSeenAt,
      revokedAt: nocDisplays.revokedAt,
    })
    .from(nocDisplays)
    .orderBy(desc(nocDisplays.createdAt));
}

export async function listTenantChoices(db: Database) {
  return db.select({ slug: tenants.slug, displayName: tenants.displayName }).from(tenants).orderBy(asc(tenants.displayName));
}
