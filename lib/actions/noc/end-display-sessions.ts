"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { endDisplaySessions as end } from "@/lib/commands/sessions";
import { idInput } from "@/lib/validation/access";

/** Signs a display's screens out without revoking the display: a new link signs a screen in again. */
export const endDisplaySessions = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await end(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/access");
  const { ended, name } = result;
  return { ok: true, data: { ended }, message: ended === 0 ? `“${name}” had no live session.` : `Ended ${ended} session${ended === 1 ? "" : "s"} of “${name}”.` };
});
