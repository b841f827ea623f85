/**
 * The cut-over and its rollback, the console's half: the pre-checks (past a warn or fail only
 * with a reason, audited), then the segment handed to the provisioning job, which gives it its
 * gateway on the Tier-1 through ARM (or takes it off) as a resumable operation. The job moves the
 * stage on when Azure confirms (lib/avs/stretch-outcome.ts). The source side's half is the
 * generated cut-over files (lib/gateway/targets/cutover-*.ts): applied before the cut-over, undone
 * after a rollback, so the address is never held at both ends.
 */
import "server-only";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { loadStretchEvidence } from "@/lib/queries/stretch";
import { checkRecord, gate, runChecklist } from "@/lib/stretch/checks/checklists";
import type { CheckResult } from "@/lib/stretch/checks/types";
import type { StretchStepInput } from "@/lib/validation/stretch";
import type { CommandRefusal } from "./result";
import { lockSegmentForChange, lockTenantFor, refuseIfChangedSince, sendSegmentForChange, setStage } from "./stretch-common";

export type StretchStepResult = { ok: true } | (CommandRefusal & { checks?: CheckResult[] });

export async function startCutover(db: Database, actor: Principal | null, input: StretchStepInput, now = new Date()): Promise<StretchStepResult> {
  return db.transaction(async (tx) => {
    const locked = await lockTenantFor(tx, input.tenantId, "cut-over");
    if (!locked.ok) return locked;
    const { tenant } = locked;
    const changed = refuseIfChangedSince(tenant, input.stageChangedAt);
    if (changed) return changed;
    if (!tenant.cutoverGatewayAddress || !tenant.cutoverTier1Id) {
      return { ok: false as const, status: 409 as const, message: "The plan has no gateway address or Tier-1; plan the cut-over again." };
    }
    const segment = await lockSegmentForChange(tx, tenant);
    if (!segment.ok) return segment;
    // Judged now, inside the step's transaction: what the operator saw on the page may be old.
    const evidence = await loadStretchEvidence(tx, tenant.id, now);
    const checks = runChecklist("cut-over", evidence!);
    const decision = gate(checks, input.reason, "cut-over");
    if (!decision.ok) return { ok: false as const, status: 409 as const, message: decision.message, checks };

    await sendSegmentForChange(tx, segment.segment, { gatewayAddress: tenant.cutoverGatewayAddress, tier1GatewayId: tenant.cutoverTier1Id }, now);
    await setStage(tx, tenant.id, "cutting-over", now);
    await recordAudit(tx, actor, {
      action: "stretch.cut-over",
      entityType: "stretch",
      entityId: tenant.id,
      tenantId: tenant.id,
      before: { stage: tenant.stretchStage, segmentGateway: segment.segment.gatewayAddress },
      after: {
        stage: "cutting-over",
        gatewayAddress: tenant.cutoverGatewayAddress,
        tier1Id: tenant.cutoverTier1Id,
        checks: checks.map(checkRecord),
        overridden: decision.overridden.map(checkRecord),
        reason: decision.overridden.length > 0 ? input.reason : null,
      },
    });
    return { ok: true as const };
  });
}

/**
 * Back to the source: the job takes the gateway off the segment (a replace without it, so the
 * Tier-1 stops routing the subnet); then the source router takes the address back (the cut-over
 * files' restore step). Allowed from "cut over", and from a cut-over whose Azure operation failed.
 * It asks no pre-check: it is the way back when something is wrong. A reason is kept if given.
 */
export async function rollBackCutover(db: Database, actor: Principal | null, input: StretchStepInput, now = new Date()): Promise<StretchStepResult> {
  return db.transaction(async (tx) => {
    const locked = await lockTenantFor(tx, input.tenantId, "roll-back");
    if (!locked.ok) return locked;
    const { tenant } = locked;
    const changed = refuseIfChangedSince(tenant, input.stageChangedAt);
    if (changed) return changed;
    const segment = await lockSegmentForChange(tx, tenant);
    if (!segment.ok) return segment;
    await sendSegmentForChange(tx, segment.segment, { gatewayAddress: null, tier1GatewayId: segment.segment.tier1GatewayId }, now);
    await setStage(tx, tenant.id, "rolling-back", now);
    await recordAudit(tx, actor, {
      action: "stretch.roll-back",
      entityType: "stretch",
      entityId: tenant.id,
      tenantId: tenant.id,
      before: { stage: tenant.stretchStage, segmentGateway: segment.segment.gatewayAddress, segmentState: segment.segment.state, lastError: segment.segment.lastError },
      after: { stage: "rolling-back", reason: input.reason ?? null },
    });
    return { ok: true as const };
  });
}
