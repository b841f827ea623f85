"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { startCutover as start } from "@/lib/commands/start-cutover";
import { stretchStepInput } from "@/lib/validation/stretch";

export const startCutover = defineAction({ input: stretchStepInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await start(db, principal, input);
  if (!result.ok) return { ok: false, status: result.status, message: result.message, ...(result.errors ? { errors: result.errors } : {}) };
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Cutting over: Azure is giving the segment its gateway on the Tier-1. The page follows it." };
});
