/**
 * A private cloud's address space as the database knows it, and the one check every tenant
 * subnet goes through (onboarding now; the cut-over pre-checks later).
 */
import "server-only";
import { and, asc, eq, isNull, ne, or } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { reservedPrefixes, tenants } from "@/lib/db/schema";
import { parseCidr } from "@/lib/domain/cidr";
import { findAddressConflicts, reservedSpaceOf, type AddressConflict, type AdminRange, type CloudBlocks, type ReservedRange } from "@/lib/domain/reserved-space";

/** Admin-added ranges that apply to a cloud: its own and those for every cloud. */
export async function listAdminRanges(db: Database, privateCloudId?: string): Promise<AdminRange[]> {
  const rows = await db
    .select({ id: reservedPrefixes.id, cidr: reservedPrefixes.cidr, reason: reservedPrefixes.description, privateCloudId: reservedPrefixes.privateCloudId, addedBy: reservedPrefixes.createdBy, addedAt: reservedPrefixes.createdAt })
    .from(reservedPrefixes)
    .where(privateCloudId ? or(isNull(reservedPrefixes.privateCloudId), eq(reservedPrefixes.privateCloudId, privateCloudId)) : undefined)
    .orderBy(asc(reservedPrefixes.createdAt));
  return rows;
}

/** Each private cloud's documented reserved space (the Private clouds page). */
export async function listReservedSpace<T extends CloudBlocks & { id: string }>(db: Database, clouds: T[]): Promise<{ cloud: T; reserved: ReservedRange[] }[]> {
  const ranges = await listAdminRanges(db);
  return clouds.map((cloud) => ({
    cloud,
    reserved: reservedSpaceOf(cloud, ranges.filter((r) => r.privateCloudId === null || r.privateCloudId === cloud.id)),
  }));
}

/**
 * What `subnet` would overlap in this private cloud: its reserved space (its blocks, the
 * platform's ranges, the admins' ranges for it or for all) and the subnets of its other live
 * tenants (`exceptTenantId`: the tenant being checked, for a pre-cut-over check). Empty when
 * clear; an unparseable subnet is the caller's validation to refuse, and gives none here.
 * Inside a transaction, pass the transaction.
 */
export async function checkSubnetAddressSpace(
  db: Database,
  cloud: CloudBlocks & { id: string },
  subnet: string,
  options: { exceptTenantId?: string } = {},
): Promise<AddressConflict[]> {
  const parsed = parseCidr(subnet);
  if (!parsed.ok) return [];
  // One after the other: inside a transaction both run on its single connection.
  const otherTenants = await db
    .select({ subnet: tenants.subnet, name: tenants.displayName })
    .from(tenants)
    .where(and(eq(tenants.privateCloudId, cloud.id), ne(tenants.state, "offboarded"), options.exceptTenantId ? ne(tenants.id, options.exceptTenantId) : undefined));
  const adminRanges = await listAdminRanges(db, cloud.id);
  return findAddressConflicts(parsed.cidr, { reserved: reservedSpaceOf(cloud, adminRanges), tenants: otherTenants });
}
