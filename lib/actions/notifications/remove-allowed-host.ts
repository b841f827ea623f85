"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { removeAllowedHost as remove } from "@/lib/commands/notification-hosts";
import { idInput } from "@/lib/validation/access";

export const removeAllowedHost = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await remove(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: undefined, message: `${result.host} is no longer allowed; channels aimed at it fail at their next send.` };
});
