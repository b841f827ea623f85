"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { endMaintenanceWindow as end } from "@/lib/commands/quiet-periods";
import { idInput } from "@/lib/validation/access";

export const endMaintenanceWindow = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await end(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  revalidatePath("/t/[slug]", "layout");
  return { ok: true, data: undefined, message: "Maintenance window ended." };
});
