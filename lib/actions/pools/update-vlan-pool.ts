"use server";

import { and, eq, ne } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { privateClouds, vlanAllocations, vlanPools } from "@/lib/db/schema";
import { whyVlanUnavailable } from "@/lib/domain/vlan";
import { updatePoolInput } from "@/lib/validation/pool";

/**
 * Changes what a pool may hand out from now on. Tenants keep VLANs the new rules would exclude
 * (taking a VLAN from a live tenant would cut it off); the reply says which ones.
 */
export const updateVlanPool = defineAction({ input: updatePoolInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const outcome = await db.transaction(async (tx) => {
    const [cloud] = await tx.select({ id: privateClouds.id }).from(privateClouds).where(eq(privateClouds.id, input.privateCloudId));
    if (!cloud) return null;
    const values = { ranges: input.ranges, reservedVlans: input.reserved, quarantineDays: input.quarantineDays, updatedAt: new Date() };
    const [before] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud.id));
    const [after] = before
      ? await tx.update(vlanPools).set(values).where(eq(vlanPools.id, before.id)).returning()
      : await tx.insert(vlanPools).values({ privateCloudId: cloud.id, ...values }).returning();
    await recordAudit(tx, principal, {
      action: "vlan-pool.update",
      entityType: "vlan-pool",
      entityId: after!.id,
      before: before ? { ranges: before.ranges, reserved: before.reservedVlans, quarantineDays: before.quarantineDays } : null,
      after: { ranges: after!.ranges, reserved: after!.reservedVlans, quarantineDays: after!.quarantineDays },
    });
    const held = await tx
      .select({ vlanId: vlanAllocations.vlanId })
      .from(vlanAllocations)
      .where(and(eq(vlanAllocations.poolId, after!.id), ne(vlanAllocations.state, "released")));
    return held.map((h) => h.vlanId).filter((id) => whyVlanUnavailable(id, { ranges: input.ranges, reserved: input.reserved }) !== null);
  });
  if (!outcome) return { ok: false, status: 404, message: "No such private cloud." };
  revalidatePath("/admin/pools");
  const kept =
    outcome.length === 0
      ? ""
      : outcome.length === 1
        ? ` VLAN ${outcome[0]} is held outside the new rules and stays with its tenant.`
        : ` VLANs ${outcome.join(", ")} are held outside the new rules and stay with their tenants.`;
  return { ok: true, data: undefined, message: `Pool saved.${kept}` };
});
