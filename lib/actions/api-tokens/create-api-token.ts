"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createApiToken as create } from "@/lib/commands/api-tokens";
import { createApiTokenInput } from "@/lib/validation/api-token";

/** Admins only: a token is a standing credential, so people with a session make them, tokens never do. */
export const createApiToken = defineAction({ input: createApiTokenInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await create(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/api-tokens");
  return {
    ok: true,
    data: { id: result.id, token: result.token },
    message: `Token “${input.name}” created. Copy it now: it is shown only once.`,
  };
});
