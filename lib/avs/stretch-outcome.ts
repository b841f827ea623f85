/**
 * What the provisioning job does to a stretch when Azure has finished a gateway change: the
 * stage moves on (cutting over → cut over, rolling back → cut-over planned), the default gateway's
 * location follows, and the timeline records it; a failed change keeps its stage and Azure's
 * reason, for an operator to retry or turn round. Runs inside the job's fenced transaction.
 */
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { setStage } from "@/lib/commands/stretch-common";
import type { Database } from "@/lib/db/client";
import { segments, tenants } from "@/lib/db/schema";

type Segment = Pick<typeof segments.$inferSelect, "id" | "tenantId" | "gatewayAddress" | "tier1GatewayId">;

export async function completeStretchStep(tx: Database, segment: Segment, now: Date): Promise<void> {
  const [tenant] = await tx.select({ stage: tenants.stretchStage }).from(tenants).where(eq(tenants.id, segment.tenantId)).for("update");
  if (tenant?.stage === "cutting-over" && segment.gatewayAddress) {
    await setStage(tx, segment.tenantId, "cut-over", now, { gatewayLocation: "avs" });
    await recordAudit(tx, null, {
      action: "stretch.cut-over.done",
      entityType: "stretch",
      entityId: segment.tenantId,
      tenantId: segment.tenantId,
      after: { stage: "cut-over", gatewayAddress: segment.gatewayAddress, tier1Id: segment.tier1GatewayId },
    });
  } else if (tenant?.stage === "rolling-back" && !segment.gatewayAddress) {
    await setStage(tx, segment.tenantId, "cutover-planned", now, { gatewayLocation: "source" });
    await recordAudit(tx, null, { action: "stretch.roll-back.done", entityType: "stretch", entityId: segment.tenantId, tenantId: segment.tenantId, after: { stage: "cutover-planned" } });
  }
}

export async function failStretchStep(tx: Database, segment: Segment, reason: string): Promise<void> {
  const [tenant] = await tx.select({ stage: tenants.stretchStage }).from(tenants).where(eq(tenants.id, segment.tenantId));
  const action = tenant?.stage === "cutting-over" ? "stretch.cut-over.failed" : tenant?.stage === "rolling-back" ? "stretch.roll-back.failed" : null;
  if (!action) return;
  await recordAudit(tx, null, { action, entityType: "stretch", entityId: segment.tenantId, tenantId: segment.tenantId, after: { stage: tenant!.stage, error: reason } });
}
