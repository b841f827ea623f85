"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createChannel as create } from "@/lib/commands/notification-channels";
import { notificationEnv } from "@/lib/notifications/config";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { channelInput, tenantChannelInput } from "@/lib/validation/notifications";

const made = (signingSecret: string | null) =>
  signingSecret
    ? `Channel added. Its signing secret is shown only once: copy it into your receiver.`
    : "Channel added. Send a test to see what the receiver answers.";

/** An operators' channel (Settings → Notifications). */
export const createChannel = defineAction({ input: channelInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await create(db, principal, null, input, notificationEnv());
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: { channelId: result.channelId, signingSecret: result.signingSecret }, message: made(result.signingSecret) };
});

/** A tenant's own channel, from its page: the tenant comes from the slug, looked up by the guard. */
export const createTenantChannel = defineAction(
  { input: tenantChannelInput, access: "tenant:write", tenant: ({ tenantSlug }, db) => findTenantIdBySlug(tenantSlug, db) },
  async (input, { db, principal, tenantId }) => {
    const result = await create(db, principal, tenantId!, input, notificationEnv());
    if (!result.ok) return result;
    revalidatePath("/t/[slug]/notifications", "page");
    return { ok: true, data: { channelId: result.channelId, signingSecret: result.signingSecret }, message: made(result.signingSecret) };
  },
);
