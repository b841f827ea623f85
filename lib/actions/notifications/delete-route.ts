"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { deleteRoute as remove, findTenantIdByRoute } from "@/lib/commands/notification-rules";
import { idInput } from "@/lib/validation/access";

export const deleteRoute = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await remove(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: undefined, message: "Rule deleted." };
});

export const deleteTenantRoute = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByRoute(id, db) },
  async ({ id }, { db, principal }) => {
    const result = await remove(db, principal, id);
    if (!result.ok) return result;
    revalidatePath("/t/[slug]/notifications", "page");
    return { ok: true, data: undefined, message: "Rule deleted." };
  },
);
