"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { acknowledgeWarnings, findTenantIdByWarning } from "@/lib/commands/acknowledge-warnings";
import { idInput } from "@/lib/validation/access";

/** One warning, from its tenant's page: operators, or the tenant's own admins for their tenant. */
export const acknowledgeWarning = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByWarning(id, db) },
  async ({ id }, { db, principal, tenantId }) => {
    const result = await acknowledgeWarnings(db, principal, [id], { tenantId: tenantId! });
    revalidatePath("/t/[slug]", "page");
    revalidatePath("/admin/warnings");
    return result.acknowledged === 1
      ? { ok: true, data: undefined, message: "Acknowledged." }
      : { ok: false, status: 409, message: "This warning was already acknowledged or has resolved." };
  },
);
