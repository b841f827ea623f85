"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { endUserSessions as end } from "@/lib/commands/sessions";
import { idInput } from "@/lib/validation/access";

/** Signs a person out everywhere: each of their sessions is refused at its next request. */
export const endUserSessions = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await end(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/access");
  const { ended, signInName } = result;
  return { ok: true, data: { ended }, message: ended === 0 ? `${signInName} had no live session.` : `Ended ${ended} session${ended === 1 ? "" : "s"} of ${signInName}.` };
});
