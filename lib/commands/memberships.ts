/**
 * Who of a customer's organisation may see their tenant. One user, one tenant (a unique index
 * decides); removing a membership ends that user's sessions in the same transaction.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { memberships, tenants } from "@/lib/db/schema";
import type { MembershipInput } from "@/lib/validation/access";
import type { CommandRefusal } from "./result";
import { endSessionsForMembership } from "./sessions";

export async function addMembership(db: Database, actor: Principal, input: MembershipInput): Promise<{ ok: true; tenantName: string } | CommandRefusal> {
  const [tenant] = await db.select({ id: tenants.id, displayName: tenants.displayName, state: tenants.state }).from(tenants).where(eq(tenants.slug, input.tenantSlug));
  if (!tenant) return { ok: false, status: 400, message: "Some fields need attention.", errors: { tenantSlug: ["No such tenant."] } };
  if (tenant.state === "offboarding" || tenant.state === "offboarded") {
    return { ok: false, status: 409, message: "Some fields need attention.", errors: { tenantSlug: [`${tenant.displayName} is ${tenant.state}; it takes no new members.`] } };
  }
  try {
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(memberships)
        .values({ tenantId: tenant.id, principalKind: input.principalKind, principal: input.principal, role: input.role, createdBy: actorName(actor) })
        .returning();
      await recordAudit(tx, actor, { action: "membership.add", entityType: "membership", entityId: row!.id, tenantId: tenant.id, after: row });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return {
      ok: false,
      status: 409,
      message: "That user already belongs to a tenant.",
      errors: { principal: ["Already a member of a tenant: one user, one tenant. Remove the old membership first."] },
    };
  }
  return { ok: true, tenantName: tenant.displayName };
}

/** The user loses the tenant, and their sessions end with it: their next request asks them to sign in. */
export async function removeMembership(db: Database, actor: Principal, membershipId: string): Promise<{ ok: true; principal: string } | CommandRefusal> {
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx.delete(memberships).where(eq(memberships.id, membershipId)).returning();
    if (!row) return null;
    const endedSessions = await endSessionsForMembership(tx, row, actorName(actor));
    await recordAudit(tx, actor, { action: "membership.remove", entityType: "membership", entityId: membershipId, tenantId: row.tenantId, before: row, after: { endedSessions } });
    return row;
  });
  if (!removed) return { ok: false, status: 404, message: "That membership no longer exists." };
  return { ok: true, principal: removed.principal };
}
