"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { editTenant as edit } from "@/lib/commands/edit-tenant";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";
import { editTenantRequest } from "@/lib/validation/tenant";

export const editTenant = defineAction(
  { input: editTenantRequest, access: "fleet:write" },
  async (changes, { db, principal }) => {
    const result = await edit(db, principal, changes, { secretsKey: getSecretsKey(readConfig()) });
    if (!result.ok) return result;
    revalidatePath("/admin/tenants");
    revalidatePath("/t/[slug]", "page");
    return { ok: true, data: undefined, message: "Saved." };
  },
);
