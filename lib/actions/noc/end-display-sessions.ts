"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { actorName, recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { endSessionsOf } from "@/lib/commands/sessions";
import { nocDisplays } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

/** Signs a display's screens out without revoking the display: a new link signs a screen in again. */
export const endDisplaySessions = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const [display] = await db.select({ id: nocDisplays.id, name: nocDisplays.name }).from(nocDisplays).where(eq(nocDisplays.id, id));
  if (!display) return { ok: false, status: 404, message: "No such display." };
  const ended = await db.transaction(async (tx) => {
    const count = await endSessionsOf(tx, { displayId: id }, "ended-by-admin", actorName(principal));
    await recordAudit(tx, principal, { action: "noc-display.end-sessions", entityType: "noc-display", entityId: id, after: { endedSessions: count } });
    return count;
  });
  revalidatePath("/admin/access");
  return { ok: true, data: { ended }, message: ended === 0 ? `“${display.name}” had no live session.` : `Ended ${ended} session${ended === 1 ? "" : "s"} of “${display.name}”.` };
});
