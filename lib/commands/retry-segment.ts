import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { segments, tenants } from "@/lib/db/schema";
import type { CommandRefusal } from "./result";

/**
 * Sends a failed or drifted segment back to the job, which looks at Azure afresh and converges
 * (creates, repairs, changes its gateway for a cut-over or rollback that failed, or, for an
 * offboarding tenant, deletes). Refused while a worker holds the segment, so two workers never
 * drive it at once.
 */
export async function retrySegment(db: Database, actor: Principal | null, segmentId: string, now = new Date()): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [segment] = await tx.select().from(segments).where(eq(segments.id, segmentId)).for("update");
    if (!segment) return { ok: false as const, status: 404 as const, message: "No such segment." };
    if (segment.state !== "failed" && segment.state !== "drifted") {
      return { ok: false as const, status: 409 as const, message: `The segment is ${segment.state}; only a failed or drifted segment is retried.` };
    }
    if (segment.lockedUntil && segment.lockedUntil > now) {
      return { ok: false as const, status: 409 as const, message: "The provisioning job is working on this segment right now; try again in a moment." };
    }
    const [tenant] = await tx.select({ stage: tenants.stretchStage }).from(tenants).where(eq(tenants.id, segment.tenantId));
    const changingGateway = tenant?.stage === "cutting-over" || tenant?.stage === "rolling-back";
    const state = segment.desired === "absent" ? ("deleting" as const) : changingGateway ? ("updating" as const) : ("pending" as const);
    await tx
      .update(segments)
      .set({ state, attempts: 0, lastError: null, operationState: null, nextAttemptAt: now, updatedAt: now })
      .where(eq(segments.id, segmentId));
    await recordAudit(tx, actor, { action: "segment.retry", entityType: "segment", entityId: segmentId, tenantId: segment.tenantId, before: { state: segment.state, lastError: segment.lastError }, after: { state } });
    if (changingGateway && segment.desired === "present") {
      await recordAudit(tx, actor, { action: "stretch.retry", entityType: "stretch", entityId: segment.tenantId, tenantId: segment.tenantId, before: { error: segment.lastError }, after: { stage: tenant!.stage } });
    }
    return { ok: true as const };
  });
}
