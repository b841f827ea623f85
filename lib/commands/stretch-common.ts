/**
 * What every stretch step does first: lock the tenant, check the move is allowed from where the
 * stretch stands, and (for the steps that need Azure) that the segment is free to change. The
 * steps themselves are one file each (plan-cutover.ts, start-cutover.ts, roll-back-cutover.ts,
 * unextend-stretch.ts).
 */
import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { segments, tenants } from "@/lib/db/schema";
import { STRETCH_STAGE } from "@/lib/domain/status";
import { canMove, STRETCH_MOVES, type StretchMove } from "@/lib/domain/stretch";
import { timeParam } from "@/lib/telemetry/sql";
import type { CommandRefusal } from "./result";

export type TenantRow = typeof tenants.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;

const STEP_NAMES: Record<StretchMove, string> = {
  plan: "planning a cut-over",
  "cancel-plan": "cancelling the plan",
  "cut-over": "the cut-over",
  "cut-over-done": "finishing the cut-over",
  "roll-back": "a rollback",
  "roll-back-done": "finishing the rollback",
  unextend: "the unextend",
};

/** The tenant, locked for the step, or why the step cannot start. */
export async function lockTenantFor(tx: Database, tenantId: string, move: StretchMove): Promise<{ ok: true; tenant: TenantRow } | CommandRefusal> {
  const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).for("update");
  if (!tenant) return { ok: false, status: 404, message: "No such tenant." };
  if (tenant.state === "offboarding" || tenant.state === "offboarded") {
    return { ok: false, status: 409, message: `${tenant.displayName} is ${tenant.state}: its stretch is over.` };
  }
  if (!canMove(tenant.stretchStage, move)) {
    const needs = STRETCH_MOVES[move].from.map((stage) => `“${STRETCH_STAGE[stage].label}”`).join(" or ");
    return {
      ok: false,
      status: 409,
      message: `${tenant.displayName}'s stretch is “${STRETCH_STAGE[tenant.stretchStage].label}”; ${STEP_NAMES[move]} needs it ${needs}. Reload the page to see where it stands.`,
    };
  }
  return { ok: true, tenant };
}

/** Refuses a step asked for from a page that read the stretch before its stage or plan last changed. */
export function refuseIfChangedSince(tenant: TenantRow, seen: string | undefined): CommandRefusal | null {
  if (seen === undefined || new Date(seen).getTime() === tenant.stretchStageChangedAt.getTime()) return null;
  return {
    ok: false,
    status: 409,
    reason: "stale",
    message: `${tenant.displayName}'s stretch changed since you loaded the page (its plan or stage moved at ${tenant.stretchStageChangedAt.toISOString()}). Reload the page, read the pre-checks again, and retry.`,
  };
}

/**
 * The tenant's segment, locked, when it can take a gateway change now: present in Azure and
 * settled (ready, or failed by a cut-over or rollback, which the change retries or turns round).
 */
export async function lockSegmentForChange(tx: Database, tenant: TenantRow): Promise<{ ok: true; segment: SegmentRow } | CommandRefusal> {
  const [segment] = await tx.select().from(segments).where(eq(segments.tenantId, tenant.id)).for("update");
  if (!segment || segment.desired !== "present") return { ok: false, status: 409, message: `${tenant.displayName} has no segment in Azure to change.` };
  if (segment.state === "updating") {
    return { ok: false, status: 409, message: "Azure is still changing the segment's gateway. Wait for that operation to finish or fail, then try again." };
  }
  if (segment.state !== "ready" && segment.state !== "failed") {
    return { ok: false, status: 409, message: `The segment is ${segment.state}; its gateway can change once it is ready.` };
  }
  return { ok: true, segment };
}

/**
 * Hands the segment to the job for a gateway change: it converges Azure to `gatewayAddress` on
 * the Tier-1 (null: no gateway). Taking the segment over releases any worker's lease, so a drift
 * check still in flight writes nothing over this (its writes are fenced on the lease).
 */
export async function sendSegmentForChange(tx: Database, segment: SegmentRow, change: { gatewayAddress: string | null; tier1GatewayId: string | null }, now: Date) {
  await tx
    .update(segments)
    .set({ ...change, state: "updating", operationState: null, attempts: 0, lastError: null, lockedBy: null, lockedUntil: null, nextAttemptAt: now, updatedAt: now })
    .where(eq(segments.id, segment.id));
}

/**
 * Moves the stretch to `stage`. Its change time is the stretch's version (the page's
 * stageChangedAt, the API's ETag), so it always moves forward, by a millisecond at least: two
 * steps within one millisecond must not leave the version a caller read unchanged.
 */
export async function setStage(tx: Database, tenantId: string, stage: TenantRow["stretchStage"], now: Date, changes: Partial<typeof tenants.$inferInsert> = {}) {
  await tx
    .update(tenants)
    .set({
      ...changes,
      stretchStage: stage,
      stretchStageChangedAt: sql`greatest(${timeParam(now)}, date_trunc('milliseconds', ${tenants.stretchStageChangedAt}) + interval '1 millisecond')`,
      updatedAt: now,
    })
    .where(eq(tenants.id, tenantId));
}
