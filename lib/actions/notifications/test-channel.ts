"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/guards";
import { findTenantIdByChannel, sendTestNotification, type TestOutcome } from "@/lib/commands/notification-channels";
import type { Database } from "@/lib/db/client";
import type { Principal } from "@/lib/auth/permissions";
import { notificationEnv } from "@/lib/notifications/config";
import { idInput } from "@/lib/validation/access";

async function test(db: Database, principal: Principal, id: string): Promise<ActionResult<TestOutcome>> {
  const result = await sendTestNotification(db, principal, id, notificationEnv());
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications", "layout");
  revalidatePath("/t/[slug]/notifications", "layout");
  const { outcome } = result;
  return {
    ok: true,
    data: outcome,
    message: outcome.status === "delivered" ? `Delivered. The receiver answered: ${outcome.answer}` : `Not delivered. ${outcome.reason ?? outcome.answer}`,
  };
}

/** "Send test": one attempt now, and the receiver's answer. */
export const testChannel = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => test(db, principal, id));

export const testTenantChannel = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByChannel(id, db) },
  async ({ id }, { db, principal }) => test(db, principal, id),
);
