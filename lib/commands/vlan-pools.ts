/**
 * A private cloud's VLAN pool: what it may hand out from now on. Tenants keep VLANs the new rules
 * would exclude (taking a VLAN from a live tenant would cut it off); the result names them.
 */
import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { privateClouds, vlanAllocations, vlanPools } from "@/lib/db/schema";
import { whyVlanUnavailable } from "@/lib/domain/vlan";
import type { UpdatePoolInput } from "@/lib/validation/pool";
import type { CommandRefusal } from "./result";

export async function updateVlanPool(db: Database, actor: Principal, input: UpdatePoolInput): Promise<{ ok: true; keptOutsideRules: number[] } | CommandRefusal> {
  const kept = await db.transaction(async (tx) => {
    const [cloud] = await tx.select({ id: privateClouds.id }).from(privateClouds).where(eq(privateClouds.id, input.privateCloudId));
    if (!cloud) return null;
    const values = { ranges: input.ranges, reservedVlans: input.reserved, quarantineDays: input.quarantineDays, updatedAt: new Date() };
    const [before] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud.id));
    const [after] = before
      ? await tx.update(vlanPools).set(values).where(eq(vlanPools.id, before.id)).returning()
      : await tx.insert(vlanPools).values({ privateCloudId: cloud.id, ...values }).returning();
    await recordAudit(tx, actor, {
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
  if (!kept) return { ok: false, status: 404, message: "No such private cloud." };
  return { ok: true, keptOutsideRules: kept };
}
