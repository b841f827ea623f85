"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { removeReservedRange as removeRange } from "@/lib/commands/reserved-ranges";
import { idInput } from "@/lib/validation/access";

/** Frees an admin-reserved range for tenant subnets again. The platform's own ranges cannot be removed. */
export const removeReservedRange = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const removed = await removeRange(db, principal, id);
  if (!removed.ok) return removed;
  revalidatePath("/admin/clouds");
  return { ok: true, data: undefined, message: `${removed.cidr} is no longer reserved.` };
});
