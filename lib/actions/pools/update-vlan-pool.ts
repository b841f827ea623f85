"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { updateVlanPool as update } from "@/lib/commands/vlan-pools";
import { updatePoolInput } from "@/lib/validation/pool";

/** Changes what a pool may hand out from now on; the reply names VLANs held outside the new rules. */
export const updateVlanPool = defineAction({ input: updatePoolInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await update(db, principal, input);
  if (!result.ok) return result;
  revalidatePath("/admin/pools");
  const held = result.keptOutsideRules;
  const kept =
    held.length === 0
      ? ""
      : held.length === 1
        ? ` VLAN ${held[0]} is held outside the new rules and stays with its tenant.`
        : ` VLANs ${held.join(", ")} are held outside the new rules and stay with their tenants.`;
  return { ok: true, data: undefined, message: `Pool saved.${kept}` };
});
