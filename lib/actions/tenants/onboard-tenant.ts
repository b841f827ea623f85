"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { onboardTenant as onboard } from "@/lib/commands/onboard-tenant";
import { onboardTenantInput } from "@/lib/validation/tenant";

export const onboardTenant = defineAction({ input: onboardTenantInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await onboard(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/tenants");
  return {
    ok: true,
    data: { slug: result.slug, vlanId: result.vlanId, vni: result.vni },
    message: `${input.displayName} is onboarded on VLAN ${result.vlanId} (VNI ${result.vni}).`,
  };
});
