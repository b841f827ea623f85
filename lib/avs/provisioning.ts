/**
 * The segment provisioning job: one resumable state machine per tenant segment, advanced a step
 * at a time. Each step is claimed with FOR UPDATE SKIP LOCKED and a lease, so with several app
 * instances on one PostgreSQL a segment is worked on by one of them at a time; everything the
 * job knows lives in the segment's row, so a crash or restart loses nothing and resumes the
 * operation in flight rather than starting another.
 *
 *   desired present: pending → provisioning → ready, or failed (reason kept; an operator retries)
 *   a cut-over or rollback: ready → updating → ready (the stretch's stage moves on), or failed
 *   desired absent:  … → deleting → deleted, then the VLAN goes into quarantine
 *   ready, checked now and then: changed or deleted outside the console → drifted
 */
import "server-only";
import type { AzureVMwareSolutionAPI, WorkloadNetworkSegment } from "@azure/arm-avs";
import { isRestError } from "@azure/core-rest-pipeline";
import { randomUUID } from "node:crypto";
import { and, eq, gt, inArray, isNull, lt, lte, or } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { completeOffboarding } from "@/lib/commands/offboard-tenant";
import type { Database } from "@/lib/db/client";
import { privateClouds, segments, tenants } from "@/lib/db/schema";
import { describeAzureError, desiredSegment, matches, portVifsOf, resume, retryAfter } from "./arm-operations";
import { completeStretchStep, failStretchStep } from "./stretch-outcome";

export const PROVISIONING_TIMING = {
  /** How long a claim holds before another worker may take the segment over. */
  leaseMs: 5 * 60_000,
  /** Between polls of an operation in flight. */
  pollMs: 2_000,
  /** Between drift checks of a ready segment. */
  driftCheckMs: 5 * 60_000,
  /** Transient failures (5xx, network) before the segment is marked failed. */
  maxTransientAttempts: 6,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  /**
   * Every Azure call is cut off after this: a step makes at most three calls, so it cannot
   * outlive its lease and act on a segment another worker has taken over.
   */
  callTimeoutMs: 60_000,
};

type SegmentRow = typeof segments.$inferSelect;
type Context = { db: Database; avs: AzureVMwareSolutionAPI; now: Date; timing: typeof PROVISIONING_TIMING; signal: () => AbortSignal };

/** Claims the segments that are due and advances each one step. Returns how many it touched. */
export async function runProvisioningOnce(
  db: Database,
  avs: AzureVMwareSolutionAPI,
  workerId: string,
  options: { now?: Date; limit?: number; timing?: Partial<typeof PROVISIONING_TIMING> } = {},
): Promise<number> {
  const timing = { ...PROVISIONING_TIMING, ...options.timing };
  // A token per claim, not per process: replicas may share a host name and pid.
  const token = `${workerId}/${randomUUID()}`;
  const claimed = await claimDueSegments(db, token, options.now ?? new Date(), options.limit ?? 10, timing.leaseMs);
  for (const claim of claimed) {
    const ctx: Context = { db, avs, now: options.now ?? new Date(), timing, signal: () => AbortSignal.timeout(timing.callTimeoutMs) };
    // Earlier segments of the batch took time: renew the lease and work from the row as it is now.
    const segment = await renewLease(ctx, claim);
    if (!segment) continue;
    try {
      await advance(ctx, segment);
    } catch (error) {
      await recordTransientFailure(ctx, segment, error);
    }
  }
  return claimed.length;
}

/**
 * Extends this claim's lease and returns the row as it is now, or null when the lease was lost
 * (it ran out and another worker took the segment, or an offboarding took it over).
 */
async function renewLease(ctx: Context, segment: SegmentRow, changes: Partial<typeof segments.$inferInsert> = {}): Promise<SegmentRow | null> {
  const now = new Date();
  const [row] = await ctx.db
    .update(segments)
    .set({ ...changes, lockedUntil: new Date(now.getTime() + ctx.timing.leaseMs) })
    .where(and(eq(segments.id, segment.id), eq(segments.lockedBy, segment.lockedBy!), gt(segments.lockedUntil, now)))
    .returning();
  return row ?? null;
}

async function claimDueSegments(db: Database, token: string, now: Date, limit: number, leaseMs: number): Promise<SegmentRow[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: segments.id })
      .from(segments)
      .where(
        and(
          lte(segments.nextAttemptAt, now),
          or(isNull(segments.lockedUntil), lt(segments.lockedUntil, now)),
          or(
            and(eq(segments.desired, "present"), inArray(segments.state, ["pending", "provisioning", "ready", "updating"])),
            // A failed deletion waits for an operator's retry rather than looping.
            and(eq(segments.desired, "absent"), inArray(segments.state, ["pending", "provisioning", "ready", "drifted", "deleting"])),
          ),
        ),
      )
      .orderBy(segments.nextAttemptAt)
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(segments)
      .set({ lockedBy: token, lockedUntil: new Date(now.getTime() + leaseMs) })
      .where(inArray(segments.id, due.map((d) => d.id)))
      .returning();
  });
}

async function advance(ctx: Context, segment: SegmentRow) {
  const [cloud] = await ctx.db.select().from(privateClouds).where(eq(privateClouds.id, segment.privateCloudId));
  if (!cloud) throw new Error(`private cloud ${segment.privateCloudId} is gone`);
  const where = { rg: cloud.resourceGroup, cloud: cloud.name, id: segment.segmentName };
  if (segment.desired === "absent") return advanceDeletion(ctx, segment, where);
  if (segment.state === "ready") return checkForDrift(ctx, segment, where);
  if (segment.state === "updating") return advanceGatewayChange(ctx, segment, where);
  return advanceCreation(ctx, segment, where);
}

type Where = { rg: string; cloud: string; id: string };

async function advanceCreation(ctx: Context, segment: SegmentRow, where: Where) {
  // An operation in flight: resume it and poll once.
  if (segment.operationState) {
    const resumed = await resume(ctx.signal, () =>
      ctx.avs.workloadNetworks.beginCreateSegments(where.rg, where.cloud, where.id, {}, { resumeFrom: segment.operationState!, abortSignal: ctx.signal() }),
    );
    if (resumed === "forget") return save(ctx, segment, { operationState: null, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    const { poller, outcome } = resumed;
    if (outcome.status === "running") return save(ctx, segment, { state: "provisioning", operationState: poller!.toString(), nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    if (outcome.status === "failed") return markFailed(ctx, segment, outcome.reason);
    return markReady(ctx, segment, outcome.result as WorkloadNetworkSegment | undefined);
  }

  // No operation on record: Azure is the truth. The segment id is derived from the tenant, so a
  // segment made by an attempt that crashed before it was recorded is found here, not duplicated.
  const existing = await getSegmentOrNull(ctx, where);
  const desired = desiredSegment(segment);
  if (existing?.provisioningState === "Building" || existing?.provisioningState === "Updating") {
    return save(ctx, segment, { state: "provisioning", nextAttemptAt: later(ctx, ctx.timing.pollMs) });
  }
  if (existing?.provisioningState === "Succeeded" && matches(existing, desired)) return markReady(ctx, segment, existing);

  // Recorded as sent before it is sent, and only while the lease still holds: a worker that lost
  // its segment to another (or to an offboarding) must not send anything.
  const held = await renewLease(ctx, segment, { sentAt: segment.sentAt ?? new Date() });
  if (!held) return;
  const poller = await ctx.avs.workloadNetworks.beginCreateSegments(where.rg, where.cloud, where.id, desired, { abortSignal: ctx.signal() });
  await save(ctx, held, { state: "provisioning", operationState: poller.toString(), attempts: segment.attempts + 1, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
}

/**
 * A cut-over or rollback: the segment's gateway (on the Tier-1) set or taken off. Setting it is a
 * PATCH of just connectedGateway and subnet, as the 2023-03-01 WorkloadNetworks_UpdateSegments
 * example sends; taking it off is a PUT of the segment without them, because a merge-patch that
 * leaves a property out leaves it as it is. Like a create, it resumes a recorded operation, reads
 * Azure before sending anything (a change that landed before a crash is not sent twice), and
 * records the send before making it.
 */
async function advanceGatewayChange(ctx: Context, segment: SegmentRow, where: Where) {
  const desired = desiredSegment(segment);
  const begin = (options: { resumeFrom?: string; abortSignal: AbortSignal }) =>
    desired.connectedGateway
      ? ctx.avs.workloadNetworks.beginUpdateSegments(where.rg, where.cloud, where.id, { connectedGateway: desired.connectedGateway, subnet: desired.subnet }, options)
      : ctx.avs.workloadNetworks.beginCreateSegments(where.rg, where.cloud, where.id, desired, options);
  if (segment.operationState) {
    const resumed = await resume(ctx.signal, () => begin({ resumeFrom: segment.operationState!, abortSignal: ctx.signal() }));
    if (resumed === "forget") return save(ctx, segment, { operationState: null, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    const { poller, outcome } = resumed;
    if (outcome.status === "running") return save(ctx, segment, { operationState: poller!.toString(), nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    if (outcome.status === "failed") return markFailed(ctx, segment, outcome.reason);
    // The operation's own answer may lack the final state: read the segment as it is now.
    return save(ctx, segment, { operationState: null, nextAttemptAt: later(ctx, 0) });
  }
  const existing = await getSegmentOrNull(ctx, where);
  if (existing?.provisioningState === "Building" || existing?.provisioningState === "Updating" || existing?.provisioningState === "Deleting") {
    return save(ctx, segment, { nextAttemptAt: later(ctx, ctx.timing.pollMs) });
  }
  if (existing?.provisioningState === "Succeeded" && matches(existing, desired)) return markReady(ctx, segment, existing);
  const held = await renewLease(ctx, segment);
  if (!held) return;
  // Gone from Azure behind the console's back: made again, as it should now be.
  const poller = existing
    ? await begin({ abortSignal: ctx.signal() })
    : await ctx.avs.workloadNetworks.beginCreateSegments(where.rg, where.cloud, where.id, desired, { abortSignal: ctx.signal() });
  await save(ctx, held, { operationState: poller.toString(), attempts: segment.attempts + 1, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
}

async function advanceDeletion(ctx: Context, segment: SegmentRow, where: Where) {
  if (segment.operationState && segment.state === "deleting") {
    const resumed = await resume(ctx.signal, () =>
      ctx.avs.workloadNetworks.beginDeleteSegment(where.rg, where.cloud, where.id, { resumeFrom: segment.operationState!, abortSignal: ctx.signal() }),
    );
    if (resumed === "forget") return save(ctx, segment, { operationState: null, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    const { poller, outcome } = resumed;
    if (outcome.status === "running") return save(ctx, segment, { operationState: poller!.toString(), nextAttemptAt: later(ctx, ctx.timing.pollMs) });
    if (outcome.status === "failed") return markFailed(ctx, segment, outcome.reason);
    return markDeleted(ctx, segment);
  }
  const existing = await getSegmentOrNull(ctx, where);
  if (!existing) return markDeleted(ctx, segment);
  if (existing.provisioningState === "Building" || existing.provisioningState === "Updating" || existing.provisioningState === "Deleting") {
    // Azure will not delete a segment mid-operation; wait for it to settle.
    return save(ctx, segment, { state: "deleting", operationState: null, nextAttemptAt: later(ctx, ctx.timing.pollMs) });
  }
  const held = await renewLease(ctx, segment);
  if (!held) return;
  const poller = await ctx.avs.workloadNetworks.beginDeleteSegment(where.rg, where.cloud, where.id, { abortSignal: ctx.signal() });
  await save(ctx, held, { state: "deleting", operationState: poller.toString(), nextAttemptAt: later(ctx, ctx.timing.pollMs) });
}

async function checkForDrift(ctx: Context, segment: SegmentRow, where: Where) {
  const existing = await getSegmentOrNull(ctx, where);
  const desired = desiredSegment(segment);
  const problem = !existing
    ? "The segment was deleted outside the console."
    : existing.provisioningState !== "Succeeded"
      ? `Azure reports the segment as ${existing.provisioningState ?? "unknown"}.`
      : !matches(existing, desired)
      ? `The segment was changed outside the console (display name “${existing.displayName ?? ""}”, gateway “${existing.connectedGateway ?? "none"}”).`
      : null;
  if (!problem) return save(ctx, segment, { checkedAt: ctx.now, portVifs: existing ? portVifsOf(existing) : segment.portVifs, nextAttemptAt: later(ctx, ctx.timing.driftCheckMs) });
  await ctx.db.transaction(async (tx) => {
    if (!(await fencedUpdate(tx, segment, { state: "drifted", lastError: problem, checkedAt: ctx.now }))) return;
    await recordAudit(tx, null, { action: "segment.drifted", entityType: "segment", entityId: segment.id, tenantId: segment.tenantId, after: { reason: problem } });
  });
}

// --- Outcomes --------------------------------------------------------------------------------

async function markReady(ctx: Context, segment: SegmentRow, result: WorkloadNetworkSegment | undefined) {
  await ctx.db.transaction(async (tx) => {
    await lockTenantOf(tx, segment);
    const written = await fencedUpdate(tx, segment, {
      state: "ready",
      azureResourceId: result?.id ?? segment.azureResourceId,
      operationState: null,
      lastError: null,
      attempts: 0,
      checkedAt: ctx.now,
      portVifs: result ? portVifsOf(result) : segment.portVifs,
      nextAttemptAt: later(ctx, ctx.timing.driftCheckMs),
    });
    if (!written) return;
    // A cut-over or rollback has landed: the stretch moves on in the same transaction.
    if (segment.state === "updating") await completeStretchStep(tx, segment, ctx.now);
    await tx.update(tenants).set({ state: "active", updatedAt: ctx.now }).where(and(eq(tenants.id, segment.tenantId), eq(tenants.state, "onboarding")));
    await recordAudit(tx, null, { action: "segment.ready", entityType: "segment", entityId: segment.id, tenantId: segment.tenantId, after: { azureResourceId: result?.id ?? null } });
  });
}

async function markFailed(ctx: Context, segment: SegmentRow, reason: string) {
  await ctx.db.transaction(async (tx) => {
    await lockTenantOf(tx, segment);
    if (!(await fencedUpdate(tx, segment, { state: "failed", lastError: reason, attempts: segment.attempts, operationState: null }))) return;
    if (segment.state === "updating") await failStretchStep(tx, segment, reason);
    await recordAudit(tx, null, { action: "segment.failed", entityType: "segment", entityId: segment.id, tenantId: segment.tenantId, after: { reason } });
  });
}

/** The segment is gone from Azure: only now may its VLAN go into quarantine. */
async function markDeleted(ctx: Context, segment: SegmentRow) {
  await ctx.db.transaction(async (tx) => {
    await lockTenantOf(tx, segment);
    if (!(await fencedUpdate(tx, segment, { state: "deleted", operationState: null, lastError: null }))) return;
    await recordAudit(tx, null, { action: "segment.deleted", entityType: "segment", entityId: segment.id, tenantId: segment.tenantId });
    const [tenant] = await tx.select({ state: tenants.state }).from(tenants).where(eq(tenants.id, segment.tenantId));
    if (tenant?.state === "offboarding") await completeOffboarding(tx, null, segment.tenantId, ctx.now);
  });
}

/**
 * Throttling waits exactly as long as Azure asks; other transient failures back off
 * exponentially, and after a few the segment is failed with the reason for an operator.
 */
async function recordTransientFailure(ctx: Context, segment: SegmentRow, error: unknown) {
  const reason = describeAzureError(error);
  const attempts = segment.attempts + 1;
  if (isRestError(error) && error.statusCode === 429) {
    const retryAfterMs = retryAfter(error) ?? ctx.timing.backoffBaseMs;
    return save(ctx, segment, { lastError: reason, nextAttemptAt: later(ctx, retryAfterMs) });
  }
  const permanent = isRestError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 409;
  if (permanent || attempts >= ctx.timing.maxTransientAttempts) return markFailed(ctx, { ...segment, attempts }, reason);
  const backoff = Math.min(ctx.timing.backoffMaxMs, ctx.timing.backoffBaseMs * 2 ** (attempts - 1));
  return save(ctx, segment, { attempts, lastError: reason, nextAttemptAt: later(ctx, backoff) });
}

// --- Helpers ---------------------------------------------------------------------------------

/**
 * The outcomes that also write the tenant (its stage, its state) lock it before the segment,
 * in the order every operator's step takes them (lockTenantFor, then the segment): the other
 * way round, a rollback or offboarding clicked as Azure's change lands deadlocks with the job.
 */
async function lockTenantOf(tx: Database, segment: SegmentRow) {
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, segment.tenantId)).for("update");
}

async function getSegmentOrNull(ctx: Context, where: Where): Promise<WorkloadNetworkSegment | null> {
  try {
    return await ctx.avs.workloadNetworks.getSegment(where.rg, where.cloud, where.id, { abortSignal: ctx.signal() });
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return null;
    throw error;
  }
}

function later(ctx: Context, ms: number): Date {
  return new Date(ctx.now.getTime() + ms);
}

/**
 * Every write of a step's outcome goes through here: it lands only while this claim still holds
 * the segment (same token, lease not run out), and releases it. A worker that lost the segment,
 * to another worker or to an offboarding, writes nothing; its caller then skips the audit event
 * and any follow-up.
 */
async function fencedUpdate(db: Database, segment: SegmentRow, changes: Partial<typeof segments.$inferInsert>): Promise<boolean> {
  const now = new Date();
  const rows = await db
    .update(segments)
    .set({ ...changes, lockedBy: null, lockedUntil: null, updatedAt: now })
    .where(and(eq(segments.id, segment.id), eq(segments.lockedBy, segment.lockedBy!), gt(segments.lockedUntil, now)))
    .returning({ id: segments.id });
  return rows.length === 1;
}

async function save(ctx: Context, segment: SegmentRow, changes: Partial<typeof segments.$inferInsert>) {
  await fencedUpdate(ctx.db, segment, changes);
}
