"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createRoute as create } from "@/lib/commands/notification-rules";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { routeInput, tenantRouteInput } from "@/lib/validation/notifications";

/** An operators' rule: any of their channels, one tenant's warnings or every tenant's. */
export const createRoute = defineAction({ input: routeInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await create(db, principal, null, input);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/notifications");
  return { ok: true, data: { routeId: result.routeId }, message: "Rule added." };
});

/** A tenant's rule: one of its own channels, its own warnings only (it has no tenant to choose). */
export const createTenantRoute = defineAction(
  { input: tenantRouteInput, access: "tenant:write", tenant: ({ tenantSlug }, db) => findTenantIdBySlug(tenantSlug, db) },
  async (input, { db, principal, tenantId }) => {
    const result = await create(db, principal, tenantId!, input);
    if (!result.ok) return result;
    revalidatePath("/t/[slug]/notifications", "page");
    return { ok: true, data: { routeId: result.routeId }, message: "Rule added." };
  },
);
