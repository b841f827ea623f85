"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { memberships, tenants } from "@/lib/db/schema";
import { isUniqueViolation } from "@/lib/db/errors";
import { membershipInput } from "@/lib/validation/access";

/** Lets a user of a customer's organisation see that one tenant. */
export const addMembership = defineAction({ input: membershipInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const [tenant] = await db.select({ id: tenants.id, displayName: tenants.displayName, state: tenants.state }).from(tenants).where(eq(tenants.slug, input.tenantSlug));
  if (!tenant) return { ok: false, status: 400, message: "Some fields need attention.", errors: { tenantSlug: ["No such tenant."] } };
  if (tenant.state === "offboarding" || tenant.state === "offboarded") {
    return { ok: false, status: 409, message: "Some fields need attention.", errors: { tenantSlug: [`${tenant.displayName} is ${tenant.state}; it takes no new members.`] } };
  }
  try {
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(memberships)
        .values({ tenantId: tenant.id, principalKind: input.principalKind, principal: input.principal, role: input.role, createdBy: principal.kind === "user" ? principal.signInName : principal.name })
        .returning();
      await recordAudit(tx, principal, { action: "membership.add", entityType: "membership", entityId: row!.id, tenantId: tenant.id, after: row });
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
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `${input.principal} can now see ${tenant.displayName}.` };
});
