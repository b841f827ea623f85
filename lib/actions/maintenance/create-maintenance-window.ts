"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createMaintenanceWindow as create } from "@/lib/commands/quiet-periods";
import { maintenanceInput } from "@/lib/validation/notifications";

/**
 * Planned work on a tenant or one tunnel: operators only, since it changes what the NOC wall
 * shows and quiets every rule, the customer's and the operators'.
 */
export const createMaintenanceWindow = defineAction({ input: maintenanceInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await create(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  revalidatePath("/t/[slug]", "layout");
  return { ok: true, data: { windowId: result.windowId }, message: "Maintenance window set." };
});
