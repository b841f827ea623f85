"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/guards";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { findTenantIdByChannel, updateChannel as update } from "@/lib/commands/notification-channels";
import { notificationEnv } from "@/lib/notifications/config";
import { channelEditInput } from "@/lib/validation/notifications";
import type { z } from "zod";

type ChannelEdit = z.infer<typeof channelEditInput>;

/** An operators' channel, from its page (Settings → Notifications → the channel). */
export const updateChannel = defineAction({ input: channelEditInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await change(db, principal, null, input);
  if (result.ok) revalidatePath("/admin/settings/notifications", "layout");
  return result;
});

/** A tenant's own channel; another tenant's, or the operators', answers 404. */
export const updateTenantChannel = defineAction(
  { input: channelEditInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByChannel(id, db) },
  async (input, { db, principal, tenantId }) => {
    const result = await change(db, principal, tenantId, input);
    if (result.ok) revalidatePath("/t/[slug]/notifications", "layout");
    return result;
  },
);

async function change(db: Database, principal: Principal, owner: string | null, { id, version, ...channel }: ChannelEdit): Promise<ActionResult<{ version: string }>> {
  const result = await update(db, principal, owner, id, channel, { ...notificationEnv(), ifVersion: version });
  if (result.ok) return { ok: true, data: { version: result.version }, message: `Saved “${channel.name}”.` };
  // The command's stale answer speaks to API clients (ETags); a person reloads the page.
  if (result.reason === "stale") return { ok: false, status: 409, message: "This channel was changed since this page was loaded: reload it and make your change again." };
  return result;
}
