/**
 * Admin-declared reserved ranges: address space no tenant subnet may overlap, for one private
 * cloud or for all, each with its reason. A range may cover a live tenant's subnet (the admin is
 * recording what is true); the reply names such tenants, and their cut-over pre-checks flag it.
 */
import "server-only";
import { and, eq, isNull, ne } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { privateClouds, reservedPrefixes, tenants } from "@/lib/db/schema";
import { findOverlaps, parseCidr } from "@/lib/domain/cidr";
import type { ReservedRangeInput } from "@/lib/validation/reserved-range";
import type { CommandRefusal } from "./result";

export async function addReservedRange(
  db: Database,
  actor: Principal,
  input: ReservedRangeInput,
): Promise<{ ok: true; id: string; coveredTenants: { name: string; subnet: string }[] } | CommandRefusal> {
  const privateCloudId = input.scope === "all" ? null : input.scope;
  return db.transaction(async (tx) => {
    if (privateCloudId) {
      const [cloud] = await tx.select({ id: privateClouds.id }).from(privateClouds).where(eq(privateClouds.id, privateCloudId));
      if (!cloud) return { ok: false as const, status: 404 as const, message: "Some fields need attention.", errors: { scope: ["No such private cloud."] } };
    }
    const [duplicate] = await tx
      .select({ id: reservedPrefixes.id, reason: reservedPrefixes.description })
      .from(reservedPrefixes)
      .where(and(eq(reservedPrefixes.cidr, input.cidr), privateCloudId ? eq(reservedPrefixes.privateCloudId, privateCloudId) : isNull(reservedPrefixes.privateCloudId)));
    if (duplicate) {
      return { ok: false as const, status: 409 as const, message: "Some fields need attention.", errors: { cidr: [`${input.cidr} is already reserved here (“${duplicate.reason}”).`] } };
    }
    const [row] = await tx
      .insert(reservedPrefixes)
      .values({ privateCloudId, cidr: input.cidr, description: input.reason, createdBy: actorName(actor) })
      .returning({ id: reservedPrefixes.id });
    const live = await tx
      .select({ name: tenants.displayName, subnet: tenants.subnet })
      .from(tenants)
      .where(and(ne(tenants.state, "offboarded"), privateCloudId ? eq(tenants.privateCloudId, privateCloudId) : undefined));
    const range = parseCidr(input.cidr);
    const coveredTenants = range.ok ? findOverlaps(range.cidr, live.map((t) => ({ cidr: t.subnet, label: t.name }))).map((t) => ({ name: t.label, subnet: t.canonical })) : [];
    await recordAudit(tx, actor, { action: "reserved-range.add", entityType: "reserved-range", entityId: row!.id, after: { scope: input.scope, cidr: input.cidr, reason: input.reason, coveredTenants } });
    return { ok: true as const, id: row!.id, coveredTenants };
  });
}

export async function removeReservedRange(db: Database, actor: Principal, id: string): Promise<{ ok: true; cidr: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx.delete(reservedPrefixes).where(eq(reservedPrefixes.id, id)).returning();
    if (!row) return { ok: false as const, status: 404 as const, message: "That reserved range no longer exists." };
    await recordAudit(tx, actor, { action: "reserved-range.remove", entityType: "reserved-range", entityId: id, before: { privateCloudId: row.privateCloudId, cidr: row.cidr, reason: row.description } });
    return { ok: true as const, cidr: row.cidr };
  });
}
