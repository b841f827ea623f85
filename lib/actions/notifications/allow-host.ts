"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { allowHost as allow } from "@/lib/commands/notification-hosts";
import { allowedHostInput } from "@/lib/validation/notifications";

/** Lets operators' channels reach this host although it resolves to a private or link-local address. */
export const allowNotificationHost = defineAction({ input: allowedHostInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await allow(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: undefined, message: `${input.host} allowed for operators' channels.` };
});
