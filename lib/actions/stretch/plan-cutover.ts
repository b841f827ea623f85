"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { planCutover as plan } from "@/lib/commands/plan-cutover";
import { planCutoverInput } from "@/lib/validation/stretch";

export const planCutover = defineAction({ input: planCutoverInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await plan(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Cut-over planned. The pre-checks below now judge it; the bundle has the cut-over files for the source router." };
});
