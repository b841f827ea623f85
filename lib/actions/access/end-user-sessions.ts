"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { actorName, recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { endSessionsOf } from "@/lib/commands/sessions";
import { users } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

/** Signs a person out everywhere: each of their sessions is refused at its next request. */
export const endUserSessions = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const [user] = await db.select({ id: users.id, signInName: users.signInName }).from(users).where(eq(users.id, id));
  if (!user) return { ok: false, status: 404, message: "No such user." };
  const ended = await db.transaction(async (tx) => {
    const count = await endSessionsOf(tx, { userId: id }, "ended-by-admin", actorName(principal));
    await recordAudit(tx, principal, { action: "user.end-sessions", entityType: "user", entityId: id, after: { signInName: user.signInName, endedSessions: count } });
    return count;
  });
  revalidatePath("/admin/access");
  return { ok: true, data: { ended }, message: ended === 0 ? `${user.signInName} had no live session.` : `Ended ${ended} session${ended === 1 ? "" : "s"} of ${user.signInName}.` };
});
