"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { offboardTenant as offboard } from "@/lib/commands/offboard-tenant";
import { idInput } from "@/lib/validation/access";

export const offboardTenant = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await offboard(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/tenants");
  revalidatePath("/admin/pools");
  return {
    ok: true,
    data: { state: result.state },
    message:
      result.state === "offboarded"
        ? `Offboarded. The VLAN is in quarantine until ${result.quarantinedUntil?.toISOString().slice(0, 10)}.`
        : "Offboarding: the segment is being removed from AVS; the VLAN enters quarantine once it is gone.",
  };
});
