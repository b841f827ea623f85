import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenantVersion } from "@/lib/domain/tenant-version";
import { privateClouds, segments, tenants, tunnels, vlanAllocations } from "@/lib/db/schema";

/** The tenant a slug names, for guards: the id, or null when there is no such tenant. */
export async function findTenantIdBySlug(slug: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
  return row?.id ?? null;
}

/** A tenant with its private cloud, its current VLAN (not released) and its segment's state. */
export function selectTenantRows(db: Database) {
  return db
    .select({
      id: tenants.id,
      slug: tenants.slug,
      displayName: tenants.displayName,
      state: tenants.state,
      subnet: tenants.subnet,
      gatewayLocation: tenants.gatewayLocation,
      transport: tenants.transport,
      encapsulation: tenants.encapsulation,
      sourceEnvironment: tenants.sourceEnvironment,
      underlayMtu: tenants.underlayMtu,
      sourceGatewayUnderlayIp: tenants.sourceGatewayUnderlayIp,
      plannedCutoverOn: tenants.plannedCutoverOn,
      offboardedAt: tenants.offboardedAt,
      privateCloud: privateClouds.name,
      region: privateClouds.region,
      vlanId: vlanAllocations.vlanId,
      vni: vlanAllocations.vni,
      vlanState: vlanAllocations.state,
      quarantinedUntil: vlanAllocations.quarantinedUntil,
      segmentState: segments.state,
    })
    .from(tenants)
    .innerJoin(privateClouds, eq(privateClouds.id, tenants.privateCloudId))
    .leftJoin(vlanAllocations, and(eq(vlanAllocations.tenantId, tenants.id), ne(vlanAllocations.state, "released")))
    .leftJoin(segments, eq(segments.tenantId, tenants.id));
}

export type TenantSummary = NonNullable<Awaited<ReturnType<typeof getTenantSummary>>>;

/** What a tenant's page starts from: its network, VLAN, segment state and tunnels. */
export async function getTenantSummary(db: Database, tenantId: string) {
  const [row] = await selectTenantRows(db).where(eq(tenants.id, tenantId));
  if (!row) return null;
  const tunnelRows = await db
    .select({ id: tunnels.id, name: tunnels.name, ordinal: tunnels.ordinal, status: tunnels.status })
    .from(tunnels)
    .where(eq(tunnels.tenantId, tenantId))
    .orderBy(tunnels.ordinal);
  return { ...row, tunnels: tunnelRows };
}

/** What the edit form shows and may change, by slug; null when there is no such tenant. */
export async function getEditableTenant(db: Database, slug: string) {
  const [row] = await db
    .select({
      id: tenants.id,
      slug: tenants.slug,
      displayName: tenants.displayName,
      contacts: tenants.contacts,
      transport: tenants.transport,
      underlayMtu: tenants.underlayMtu,
      sourceGatewayUnderlayIp: tenants.sourceGatewayUnderlayIp,
      latencyObjectiveMs: tenants.latencyObjectiveMs,
      plannedCutoverOn: tenants.plannedCutoverOn,
    })
    .from(tenants)
    .where(eq(tenants.slug, slug));
  return row ?? null;
}

/** The tenant's current version, for the API's ETag; null when there is no such tenant. */
export async function getTenantVersion(db: Database, tenantId: string): Promise<string | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  return row ? tenantVersion(row) : null;
}
