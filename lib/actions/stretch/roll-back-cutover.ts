"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { rollBackCutover as rollBack } from "@/lib/commands/start-cutover";
import { stretchStepInput } from "@/lib/validation/stretch";

export const rollBackCutover = defineAction({ input: stretchStepInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await rollBack(db, principal, input);
  if (!result.ok) return { ok: false, status: result.status, message: result.message, ...(result.errors ? { errors: result.errors } : {}) };
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Rolling back: Azure is taking the gateway off the segment. Then run the restore file on the source router." };
});
