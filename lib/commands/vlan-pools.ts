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
import { poolVersion } from "@/lib/queries/pools";
import type { UpdatePoolInput } from "@/lib/validation/pool";
import type { CommandRefusal } from "./result";

const STALE: CommandRefusal = {
  ok: false,
  status: 409,
  reason: "stale",
  message: "The pool's rules changed since you read them: GET the pool again, re-apply your change and send the new ETag in If-Match.",
};

export async function updateVlanPool(
  db: Database,
  actor: Principal,
  input: UpdatePoolInput,
  /** ifVersion: refuse unless the pool is still at this version (an API caller's If-Match). */
  options: { ifVersion?: string } = {},
): Promise<{ ok: true; keptOutsideRules: number[] } | CommandRefusal> {
  const kept = await db.transaction(async (tx) => {
    // The cloud's row is the pool's lock: two saves of a pool not yet stored would otherwise both insert it.
    const [cloud] = await tx.select({ id: privateClouds.id }).from(privateClouds).where(eq(privateClouds.id, input.privateCloudId)).for("update");
    if (!cloud) return null;
    const [before] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud.id));
    if (options.ifVersion !== undefined && options.ifVersion !== poolVersion(before)) return STALE;
    // The version is this time: two saves within one millisecond must still differ in it.
    const updatedAt = new Date(Math.max(Date.now(), (before?.updatedAt.getTime() ?? 0) + 1));
    const values = { ranges: input.ranges, reservedVlans: input.reserved, quarantineDays: input.quarantineDays, updatedAt };
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
  if (!Array.isArray(kept)) return kept;
  return { ok: true, keptOutsideRules: kept };
}
