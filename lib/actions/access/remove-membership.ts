"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { removeMembership as remove } from "@/lib/commands/memberships";
import { idInput } from "@/lib/validation/access";

/** The user loses the tenant, and their sessions end with it: their next request asks them to sign in. */
export const removeMembership = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await remove(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `${result.principal} no longer has access; their sessions have ended.` };
});
