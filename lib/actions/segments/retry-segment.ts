"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { retrySegment as retry } from "@/lib/commands/retry-segment";
import { idInput } from "@/lib/validation/access";

export const retrySegment = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await retry(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Retrying: the segment goes back to Azure now." };
});
