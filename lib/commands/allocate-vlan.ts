/**
 * Hands a tenant one VLAN (and its VNI) from a private cloud's pool. The partial unique indexes
 * on vlan_allocations are the final word: two transactions that pick the same ID cannot both
 * commit, and the loser moves on to the next free ID. Runs inside the caller's transaction so
 * the allocation commits or rolls back with the rest of the onboarding.
 */
import "server-only";
import { randomInt } from "node:crypto";
import { and, eq, lte, ne, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { tenants, vlanAllocations, vlanPools } from "@/lib/db/schema";
import { candidateVlans, countAssignable, deriveVni, whyVlanUnavailable, type VlanPoolRules } from "@/lib/domain/vlan";

export type VlanRequest = { poolId: string; tenantId: string; vlan: "next" | number; vni?: number };
export type VlanGrant = { ok: true; vlanId: number; vni: number };
export type VlanRefusal = { ok: false; field: "vlan" | "vni"; error: string };

/** More attempts than this means something other than a race is wrong; stop and say so. */
const MAX_ATTEMPTS = 64;

export async function allocateVlan(tx: Database, request: VlanRequest, now = new Date()): Promise<VlanGrant | VlanRefusal> {
  const [pool] = await tx.select().from(vlanPools).where(eq(vlanPools.id, request.poolId));
  if (!pool) throw new Error(`VLAN pool ${request.poolId} does not exist`);
  const rules: VlanPoolRules = { ranges: pool.ranges, reserved: pool.reservedVlans };

  // Quarantines that have run out free their IDs; the rows stay as history.
  await tx
    .update(vlanAllocations)
    .set({ state: "released", releasedAt: sql`coalesce(${vlanAllocations.releasedAt}, ${now})` })
    .where(and(eq(vlanAllocations.poolId, pool.id), eq(vlanAllocations.state, "quarantined"), lte(vlanAllocations.quarantinedUntil, now)));

  if (request.vlan !== "next") {
    const why = whyVlanUnavailable(request.vlan, rules);
    if (why) return { ok: false, field: "vlan", error: why };
    const vni = request.vni ?? deriveVni(request.vlan);
    if (await tryInsert(tx, request, request.vlan, vni)) return { ok: true, vlanId: request.vlan, vni };
    return explainConflict(tx, pool.id, request.vlan, vni);
  }

  // IDs tried and lost in this call: a race loser will see them taken on the next read anyway,
  // but one whose derived VNI collides with an operator's override stays "free" and must be skipped.
  const skipped = new Set<number>();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const taken = await takenIds(tx, pool.id);
    for (const id of skipped) taken.add(id);
    // First try: the lowest free ID, as operators expect. After a lost race, every other racer
    // is aiming at that same ID too; spreading over a window that widens with each loss keeps
    // one transaction from losing again and again.
    const candidates = candidateVlans(rules, taken);
    let next = candidates.next();
    for (let skip = attempt === 0 ? 0 : randomInt(Math.min(2 ** attempt, 64)); skip > 0 && !next.done; skip--) {
      const further = candidates.next();
      if (further.done) break;
      next = further;
    }
    if (next.done) {
      return {
        ok: false,
        field: "vlan",
        error:
          `No free VLAN left in this pool: all ${countAssignable(rules)} assignable IDs are allocated or in quarantine. ` +
          "Widen the pool's ranges, release reserved IDs, or wait for a quarantine to end.",
      };
    }
    const vni = request.vni ?? deriveVni(next.value);
    if (await tryInsert(tx, request, next.value, vni)) return { ok: true, vlanId: next.value, vni };
    // An operator's VNI that is taken will collide on every VLAN: say so rather than walk the pool.
    if (request.vni !== undefined) {
      const conflict = await explainConflict(tx, pool.id, next.value, vni);
      if (conflict.field === "vni") return conflict;
    }
    skipped.add(next.value);
  }
  throw new Error(`Could not allocate a VLAN after ${MAX_ATTEMPTS} attempts; the pool is under unusual contention.`);
}

async function takenIds(tx: Database, poolId: string): Promise<Set<number>> {
  const rows = await tx
    .select({ vlanId: vlanAllocations.vlanId })
    .from(vlanAllocations)
    .where(and(eq(vlanAllocations.poolId, poolId), ne(vlanAllocations.state, "released")));
  return new Set(rows.map((r) => r.vlanId));
}

/** One attempt in a savepoint, so a unique violation does not abort the whole transaction. */
async function tryInsert(tx: Database, request: VlanRequest, vlanId: number, vni: number): Promise<boolean> {
  try {
    await tx.transaction(async (savepoint) => {
      await savepoint.insert(vlanAllocations).values({ poolId: request.poolId, tenantId: request.tenantId, vlanId, vni });
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

async function explainConflict(tx: Database, poolId: string, vlanId: number, vni: number): Promise<VlanRefusal> {
  const holders = await tx
    .select({ vlanId: vlanAllocations.vlanId, vni: vlanAllocations.vni, state: vlanAllocations.state, until: vlanAllocations.quarantinedUntil, tenant: tenants.displayName })
    .from(vlanAllocations)
    .innerJoin(tenants, eq(tenants.id, vlanAllocations.tenantId))
    .where(and(eq(vlanAllocations.poolId, poolId), ne(vlanAllocations.state, "released"), sql`(${vlanAllocations.vlanId} = ${vlanId} or ${vlanAllocations.vni} = ${vni})`));
  const byVlan = holders.find((h) => h.vlanId === vlanId);
  if (byVlan) {
    return {
      ok: false,
      field: "vlan",
      error:
        byVlan.state === "quarantined"
          ? `VLAN ${vlanId} is in quarantine until ${byVlan.until?.toISOString().slice(0, 10)} after ${byVlan.tenant} released it. Pick another, or leave it to the next free one.`
          : `VLAN ${vlanId} is already allocated to ${byVlan.tenant}. Pick another, or leave it to the next free one.`,
    };
  }
  const byVni = holders.find((h) => h.vni === vni);
  return {
    ok: false,
    field: "vni",
    error: byVni ? `VNI ${vni} is already used by ${byVni.tenant}. Leave it empty to derive it from the VLAN, or pick another.` : `VLAN ${vlanId} was just taken; try again.`,
  };
}
