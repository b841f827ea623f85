"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { addMembership as add } from "@/lib/commands/memberships";
import { membershipInput } from "@/lib/validation/access";

/** Lets a user of a customer's organisation see that one tenant. */
export const addMembership = defineAction({ input: membershipInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await add(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `${input.principal} can now see ${result.tenantName}.` };
});
