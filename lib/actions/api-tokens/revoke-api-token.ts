"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { revokeApiToken as revoke } from "@/lib/commands/api-tokens";
import { idInput } from "@/lib/validation/access";

/** The token stops at its next request. */
export const revokeApiToken = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await revoke(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/api-tokens");
  return { ok: true, data: undefined, message: `Token “${result.name}” revoked.` };
});
