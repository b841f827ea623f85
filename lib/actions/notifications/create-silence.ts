"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createSilence as create } from "@/lib/commands/quiet-periods";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { silenceInput, tenantSilenceInput } from "@/lib/validation/notifications";

/** An operators' silence: quiets the operators' rules for what it matches. */
export const createSilence = defineAction({ input: silenceInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await create(db, principal, null, input);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  revalidatePath("/admin/warnings");
  return { ok: true, data: { silenceId: result.silenceId }, message: "Silenced." };
});

/** A tenant's own silence: quiets its own rules, for its own warnings. */
export const createTenantSilence = defineAction(
  { input: tenantSilenceInput, access: "tenant:write", tenant: ({ tenantSlug }, db) => findTenantIdBySlug(tenantSlug, db) },
  async (input, { db, principal, tenantId }) => {
    const result = await create(db, principal, tenantId!, input);
    if (!result.ok) return result;
    revalidatePath("/t/[slug]", "layout");
    return { ok: true, data: { silenceId: result.silenceId }, message: "Silenced." };
  },
);
