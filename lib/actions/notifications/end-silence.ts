"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { endSilence as end, findTenantIdBySilence } from "@/lib/commands/quiet-periods";
import { idInput } from "@/lib/validation/access";

export const endSilence = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await end(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: undefined, message: "Silence ended." };
});

/** A tenant ends its own silences only; the operators' answer 404. */
export const endTenantSilence = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdBySilence(id, db) },
  async ({ id }, { db, principal }) => {
    const result = await end(db, principal, id);
    if (!result.ok) return result;
    revalidatePath("/t/[slug]", "layout");
    return { ok: true, data: undefined, message: "Silence ended." };
  },
);
