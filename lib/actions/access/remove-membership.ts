"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { memberships } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

export const removeMembership = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx.delete(memberships).where(eq(memberships.id, id)).returning();
    if (row) await recordAudit(tx, principal, { action: "membership.remove", entityType: "membership", entityId: id, tenantId: row.tenantId, before: row });
    return row;
  });
  if (!removed) return { ok: false, status: 404, message: "That membership no longer exists." };
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `${removed.principal} no longer has access.` };
});
