"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { cancelCutoverPlan as cancel } from "@/lib/commands/plan-cutover";
import { cancelPlanInput } from "@/lib/validation/stretch";

export const cancelCutoverPlan = defineAction({ input: cancelPlanInput, access: "fleet:write" }, async ({ tenantId, stageChangedAt }, { db, principal }) => {
  const result = await cancel(db, principal, tenantId, new Date(), stageChangedAt);
  if (!result.ok) return result;
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Plan cancelled: the stretch is extending again." };
});
