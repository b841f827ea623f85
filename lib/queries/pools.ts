import "server-only";
import { and, asc, eq, ne } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants, vlanAllocations, vlanPools } from "@/lib/db/schema";
import { buildPoolMap, DEFAULT_RESERVED_VLANS, DEFAULT_VLAN_RANGES, type VlanHolder } from "@/lib/domain/vlan";

/** One private cloud's pool: its rules, who holds what, and the state of every ID. */
export async function getPoolView(db: Database, privateCloudId: string, now = new Date()) {
  const [cloud] = await db.select({ id: privateClouds.id, name: privateClouds.name }).from(privateClouds).where(eq(privateClouds.id, privateCloudId));
  if (!cloud) return null;
  const [pool] = await db.select().from(vlanPools).where(eq(vlanPools.privateCloudId, privateCloudId));
  const rules = pool ? { ranges: pool.ranges, reserved: pool.reservedVlans } : { ranges: DEFAULT_VLAN_RANGES, reserved: DEFAULT_RESERVED_VLANS };
  const holders = pool
    ? await db
        .select({
          vlanId: vlanAllocations.vlanId,
          vni: vlanAllocations.vni,
          state: vlanAllocations.state,
          quarantinedUntil: vlanAllocations.quarantinedUntil,
          tenant: tenants.displayName,
          slug: tenants.slug,
        })
        .from(vlanAllocations)
        .innerJoin(tenants, eq(tenants.id, vlanAllocations.tenantId))
        .where(and(eq(vlanAllocations.poolId, pool.id), ne(vlanAllocations.state, "released")))
        .orderBy(asc(vlanAllocations.vlanId))
    : [];
  const map = buildPoolMap(rules, holders.map((h) => ({ ...h, state: h.state as VlanHolder["state"] })), now);
  return { cloud, pool, rules, quarantineDays: pool?.quarantineDays ?? 30, holders, ...map };
}

/** A pool's version for ETag/If-Match: when its rules last changed, or "default" before they ever were. */
export function poolVersion(pool: { updatedAt: Date } | undefined): string {
  return pool ? pool.updatedAt.toISOString() : "default";
}

/** The pool's version (poolVersion); null: no such private cloud. */
export async function getPoolVersion(db: Database, privateCloudId: string): Promise<string | null> {
  const [row] = await db
    .select({ cloudId: privateClouds.id, updatedAt: vlanPools.updatedAt })
    .from(privateClouds)
    .leftJoin(vlanPools, eq(vlanPools.privateCloudId, privateClouds.id))
    .where(eq(privateClouds.id, privateCloudId));
  if (!row) return null;
  return poolVersion(row.updatedAt ? { updatedAt: row.updatedAt } : undefined);
}
