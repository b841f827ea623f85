"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { offboardAfterChecks } from "@/lib/commands/offboard-after-checks";
import { offboardInput } from "@/lib/validation/stretch";

export const offboardTenant = defineAction({ input: offboardInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await offboardAfterChecks(db, principal, input);
  if (!result.ok) return { ok: false, status: result.status, message: result.message, ...(result.errors ? { errors: result.errors } : {}) };
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
