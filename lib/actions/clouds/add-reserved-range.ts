"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { addReservedRange as addRange } from "@/lib/commands/reserved-ranges";
import { reservedRangeInput } from "@/lib/validation/reserved-range";

/** Declares address space off-limits for new tenant subnets, in one private cloud or in all. */
export const addReservedRange = defineAction({ input: reservedRangeInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const added = await addRange(db, principal, input);
  if (!added.ok) return added;
  revalidatePath("/admin/clouds");
  const covered = added.coveredTenants.map((t) => `${t.name} (${t.subnet})`).join(", ");
  const note = covered ? ` It covers the live subnet of ${covered}: their cut-over pre-checks will flag it.` : "";
  return { ok: true, data: { id: added.id }, message: `${input.cidr} is reserved: “${input.reason}”.${note}` };
});
