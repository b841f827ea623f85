import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { segments } from "@/lib/db/schema";
import type { SegmentState } from "@/lib/domain/status";

export type SegmentStatus = {
  id: string;
  segmentName: string;
  displayName: string;
  state: SegmentState;
  desired: "present" | "absent";
  tier1GatewayId: string | null;
  azureResourceId: string | null;
  lastError: string | null;
  attempts: number;
  nextAttemptAt: string;
  updatedAt: string;
};

/** A tenant's segment as the browser sees it: no lease or poller internals. */
export async function getSegmentStatus(db: Database, tenantId: string): Promise<SegmentStatus | null> {
  const [row] = await db.select().from(segments).where(eq(segments.tenantId, tenantId));
  if (!row) return null;
  return {
    id: row.id,
    segmentName: row.segmentName,
    displayName: row.displayName,
    state: row.state,
    desired: row.desired,
    tier1GatewayId: row.tier1GatewayId,
    azureResourceId: row.azureResourceId,
    lastError: row.lastError,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The tenant's segment id, for the API's retry; null when the tenant has none. */
export async function findSegmentIdOfTenant(db: Database, tenantId: string): Promise<string | null> {
  const [row] = await db.select({ id: segments.id }).from(segments).where(eq(segments.tenantId, tenantId));
  return row?.id ?? null;
}
