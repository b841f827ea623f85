"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { actorName, recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { endSessionsForMembership } from "@/lib/commands/sessions";
import { memberships } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

/** The user loses the tenant, and their sessions end with it: their next request asks them to sign in. */
export const removeMembership = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const removed = await db.transaction(async (tx) => {
    const [row] = await tx.delete(memberships).where(eq(memberships.id, id)).returning();
    if (!row) return null;
    const endedSessions = await endSessionsForMembership(tx, row, actorName(principal));
    await recordAudit(tx, principal, { action: "membership.remove", entityType: "membership", entityId: id, tenantId: row.tenantId, before: row, after: { endedSessions } });
    return row;
  });
  if (!removed) return { ok: false, status: 404, message: "That membership no longer exists." };
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `${removed.principal} no longer has access; their sessions have ended.` };
});
