"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/auth/guards";
import { editTenant as edit } from "@/lib/commands/edit-tenant";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";
import { editTenantInput, IMMUTABLE_TENANT_FIELDS } from "@/lib/validation/tenant";

/**
 * Fixed fields are refused by name with the reason, rather than silently ignored: an operator
 * who sends a new subnet must learn it did not change.
 */
const input = z
  .unknown()
  .superRefine((raw, ctx) => {
    if (!raw || typeof raw !== "object") return;
    for (const [field, why] of Object.entries(IMMUTABLE_TENANT_FIELDS)) {
      if (field in raw) ctx.addIssue({ code: "custom", path: [field], message: `Cannot change after onboarding: ${why}.` });
    }
  })
  .pipe(editTenantInput);

export const editTenant = defineAction(
  { input, access: "fleet:write" },
  async (changes, { db, principal }) => {
    const result = await edit(db, principal, changes, { secretsKey: getSecretsKey(readConfig()) });
    if (!result.ok) return result;
    revalidatePath("/admin/tenants");
    revalidatePath("/t/[slug]", "page");
    return { ok: true, data: undefined, message: "Saved." };
  },
);
