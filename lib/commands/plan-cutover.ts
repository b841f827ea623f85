/**
 * Planning a cut-over: the gateway address the Tier-1 will take, which Tier-1, the date, and the
 * source router's interface that holds the address today (for the generated files). Nothing
 * changes in Azure: the plan is what the pre-checks judge and the cut-over files are written for.
 * Cancelling it goes back to "extending".
 */
import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { privateClouds } from "@/lib/db/schema";
import { parseGatewayAddress } from "@/lib/domain/stretch";
import type { PlanCutoverInput } from "@/lib/validation/stretch";
import type { CommandRefusal } from "./result";
import { lockTenantFor, refuseIfChangedSince, setStage } from "./stretch-common";

export async function planCutover(db: Database, actor: Principal | null, input: PlanCutoverInput, now = new Date()): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const locked = await lockTenantFor(tx, input.tenantId, "plan");
    if (!locked.ok) return locked;
    const { tenant } = locked;
    const changed = refuseIfChangedSince(tenant, input.stageChangedAt);
    if (changed) return changed;
    const gateway = parseGatewayAddress(input.gatewayAddress, tenant.subnet);
    if (!gateway.ok) return { ok: false as const, status: 400 as const, message: "Some fields need attention.", errors: { gatewayAddress: [gateway.error] } };
    const [cloud] = await tx.select().from(privateClouds).where(eq(privateClouds.id, tenant.privateCloudId));
    const tier1 = cloud?.tier1Gateways.find((g) => g.id === input.tier1Id);
    if (!cloud || !tier1) {
      const known = cloud?.tier1Gateways.map((g) => g.id).join(", ") || "none";
      return {
        ok: false as const,
        status: 400 as const,
        message: "Some fields need attention.",
        errors: { tier1Id: [`${input.tier1Id} is not a Tier-1 gateway of ${cloud?.name ?? "the private cloud"} (it has: ${known}). Read the private clouds again if one was added.`] },
      };
    }
    const before = { stage: tenant.stretchStage, gatewayAddress: tenant.cutoverGatewayAddress, tier1Id: tenant.cutoverTier1Id, plannedCutoverOn: tenant.plannedCutoverOn, sourceInterface: tenant.sourceGatewayInterface };
    const after = {
      stage: "cutover-planned" as const,
      gatewayAddress: gateway.gatewayAddress,
      tier1Id: tier1.id,
      plannedCutoverOn: input.plannedCutoverOn ?? tenant.plannedCutoverOn,
      sourceInterface: input.sourceInterface ?? null,
    };
    await setStage(tx, tenant.id, "cutover-planned", now, {
      cutoverGatewayAddress: after.gatewayAddress,
      cutoverTier1Id: after.tier1Id,
      plannedCutoverOn: after.plannedCutoverOn,
      sourceGatewayInterface: after.sourceInterface,
    });
    await recordAudit(tx, actor, { action: "stretch.plan", entityType: "stretch", entityId: tenant.id, tenantId: tenant.id, before, after });
    return { ok: true as const };
  });
}

export async function cancelCutoverPlan(
  db: Database,
  actor: Principal | null,
  tenantId: string,
  now = new Date(),
  /** When the stretch last changed as the caller read it: a plan changed since is not cancelled. */
  stageChangedAt?: string,
): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const locked = await lockTenantFor(tx, tenantId, "cancel-plan");
    if (!locked.ok) return locked;
    const { tenant } = locked;
    const changed = refuseIfChangedSince(tenant, stageChangedAt);
    if (changed) return changed;
    await setStage(tx, tenant.id, "extending", now, { cutoverGatewayAddress: null, cutoverTier1Id: null, sourceGatewayInterface: null });
    await recordAudit(tx, actor, {
      action: "stretch.cancel-plan",
      entityType: "stretch",
      entityId: tenant.id,
      tenantId: tenant.id,
      before: { stage: tenant.stretchStage, gatewayAddress: tenant.cutoverGatewayAddress, tier1Id: tenant.cutoverTier1Id },
      after: { stage: "extending" },
    });
    return { ok: true as const };
  });
}
