"use server";

import { and, eq, isNull } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { nocDisplays } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

/** The display's session is checked against this row on every request, so it ends at the next one. */
export const revokeDisplay = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const revoked = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(nocDisplays)
      .set({ revokedAt: new Date() })
      .where(and(eq(nocDisplays.id, id), isNull(nocDisplays.revokedAt)))
      .returning({ id: nocDisplays.id, name: nocDisplays.name });
    if (row) await recordAudit(tx, principal, { action: "noc-display.revoke", entityType: "noc-display", entityId: id, after: { revoked: true } });
    return row;
  });
  if (!revoked) return { ok: false, status: 404, message: "No such display, or it is already revoked." };
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `Display “${revoked.name}” revoked.` };
});
