"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { deleteChannel as remove, findTenantIdByChannel } from "@/lib/commands/notification-channels";
import { idInput } from "@/lib/validation/access";

/** Deleting a channel deletes its rules and its delivery log with it (the audit trail keeps the fact). */
export const deleteChannel = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await remove(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: undefined, message: `Deleted “${result.name}”.` };
});

/** A tenant's own channel; another tenant's, or the operators', answers 404. */
export const deleteTenantChannel = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByChannel(id, db) },
  async ({ id }, { db, principal }) => {
    const result = await remove(db, principal, id);
    if (!result.ok) return result;
    revalidatePath("/t/[slug]/notifications", "page");
    return { ok: true, data: undefined, message: `Deleted “${result.name}”.` };
  },
);
