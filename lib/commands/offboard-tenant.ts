/**
 * Offboarding ends a tenant's stretch and keeps its history. Access ends at once (memberships
 * removed, agent tokens revoked). The VLAN goes into quarantine only once the tenant's segment
 * is gone from Azure: while a segment still carries the VLAN, handing it to someone else would
 * bridge two customers together.
 */
import "server-only";
import { and, eq, inArray, isNull, ne } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { apiTokens, memberships, segments, tenants, tunnelEndpoints, tunnels, vlanAllocations, vlanPools, warnings } from "@/lib/db/schema";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";
import type { CommandRefusal } from "./result";
import { lockEndpointsInIdOrder, lockTunnelsInIdOrder } from "./lock-in-id-order";
import { endSessionsForMembership } from "./sessions";

export type OffboardResult = { ok: true; state: "offboarding" | "offboarded"; quarantinedUntil: Date | null } | CommandRefusal;

const DAY_MS = 24 * 3600 * 1000;

/** What the offboarding's pre-checks said, and the reason given to go past them: kept in the audit. */
export type OffboardRecord = { checks: unknown[]; overridden: unknown[]; reason: string | null };

export async function offboardTenant(db: Database, actor: Principal | null, tenantId: string, now = new Date(), record?: OffboardRecord): Promise<OffboardResult> {
  return db.transaction(async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).for("update");
    if (!tenant) return { ok: false as const, status: 404 as const, message: "No such tenant." };
    if (tenant.state === "offboarding" || tenant.state === "offboarded") {
      return { ok: false as const, status: 409 as const, message: `${tenant.displayName} is already ${tenant.state}.` };
    }

    const removedMembers = await tx
      .delete(memberships)
      .where(eq(memberships.tenantId, tenantId))
      .returning({ principal: memberships.principal, principalKind: memberships.principalKind });
    // Their sessions end with the access, as when an admin removes one member.
    for (const member of removedMembers) await endSessionsForMembership(tx, member, actorName(actor), now);
    // API tokens limited to this tenant end with its people's access.
    const revokedTokens = await tx
      .update(apiTokens)
      .set({ revokedAt: now, revokedBy: actorName(actor) })
      .where(and(eq(apiTokens.tenantId, tenantId), isNull(apiTokens.revokedAt)))
      .returning({ name: apiTokens.name });
    const tunnelIds = (await tx.select({ id: tunnels.id }).from(tunnels).where(eq(tunnels.tenantId, tenantId))).map((t) => t.id);
    if (tunnelIds.length > 0) {
      // The tokens stop working, and the keys and tokens kept for downloads are destroyed: an
      // offboarded tenant's history keeps no secret. Each table's rows locked in id order first,
      // as the agents' ingest locks them: in the table's order this deadlocked with it. The
      // tunnels before their endpoints, as removing a tunnel and unextend lock them (tunnel,
      // then its ends by the cascade): endpoints first deadlocked with a tunnel's removal.
      await lockTunnelsInIdOrder(tx, inArray(tunnels.id, tunnelIds), "no key update");
      const endpointIds = await lockEndpointsInIdOrder(tx, inArray(tunnelEndpoints.tunnelId, tunnelIds), "no key update");
      await tx
        .update(tunnelEndpoints)
        .set({ agentTokenHash: null, agentTokenCiphertext: null, previousTokenHash: null, previousTokenIssuedAt: null, previousTokenValidUntil: null })
        .where(inArray(tunnelEndpoints.id, endpointIds));
      await tx.update(tunnels).set({ pskCiphertext: null }).where(inArray(tunnels.id, tunnelIds));
    }

    // A segment never sent to Azure has nothing to delete. Any other may exist there (even a
    // failed create can leave one behind): the provisioning job looks, deletes it, and then
    // calls completeOffboarding.
    // Locked, so the job cannot claim it while we decide. "Never sent" is the job's own record
    // (sent_at is set before any request and never reset) and holds only if no worker is mid-step.
    const [segment] = await tx.select().from(segments).where(eq(segments.tenantId, tenantId)).for("update");
    const heldByWorker = segment?.lockedUntil != null && segment.lockedUntil > now;
    const neverSent = segment !== undefined && segment.sentAt === null && !heldByWorker;
    const segmentInAzure = segment !== undefined && segment.state !== "deleted" && !neverSent;
    if (segment && !segmentInAzure) await tx.update(segments).set({ state: "deleted", desired: "absent", updatedAt: now }).where(eq(segments.id, segment.id));
    if (segment && segmentInAzure) {
      // Taking the segment over releases any worker's lease, so a step still in flight writes
      // nothing (its writes are fenced on the lease); the deletion starts from a fresh look at Azure.
      await tx
        .update(segments)
        .set({ desired: "absent", state: "deleting", operationState: null, attempts: 0, lastError: null, lockedBy: null, lockedUntil: null, nextAttemptAt: now, updatedAt: now })
        .where(eq(segments.id, segment.id));
    }
    await tx.update(tenants).set({ state: "offboarding", updatedAt: now }).where(eq(tenants.id, tenantId));
    // Nothing evaluates an offboarded tenant again, so its open warnings would stay open forever.
    const resolvedWarnings = await tx
      .update(warnings)
      .set({ state: "resolved", resolvedAt: now, resolvedBy: actorName(actor) })
      .where(and(eq(warnings.tenantId, tenantId), ne(warnings.state, "resolved")))
      .returning({ id: warnings.id });
    // Whoever was told of them hears they are over, in the same transaction.
    await enqueueWarningNotifications(tx, resolvedWarnings.map((w) => ({ op: "resolve" as const, id: w.id, set: { resolvedAt: now } })));
    await recordAudit(tx, actor, {
      action: "tenant.offboard",
      entityType: "tenant",
      entityId: tenantId,
      tenantId,
      before: { state: tenant.state },
      after: { state: "offboarding", removedMembers: removedMembers.map((m) => m.principal), agentTokensRevoked: true, apiTokensRevoked: revokedTokens.map((t) => t.name), warningsResolved: resolvedWarnings.length, ...record },
    });

    const quarantinedUntil = segmentInAzure ? null : await completeOffboarding(tx, actor, tenantId, now);
    return { ok: true as const, state: segmentInAzure ? ("offboarding" as const) : ("offboarded" as const), quarantinedUntil };
  });
}

/** Once the segment is gone: the VLAN enters quarantine and the tenant is offboarded. */
export async function completeOffboarding(tx: Database, actor: Principal | null, tenantId: string, now = new Date()): Promise<Date | null> {
  const [allocation] = await tx
    .select({ id: vlanAllocations.id, vlanId: vlanAllocations.vlanId, quarantineDays: vlanPools.quarantineDays })
    .from(vlanAllocations)
    .innerJoin(vlanPools, eq(vlanPools.id, vlanAllocations.poolId))
    .where(and(eq(vlanAllocations.tenantId, tenantId), eq(vlanAllocations.state, "allocated")));
  let until: Date | null = null;
  if (allocation) {
    until = new Date(now.getTime() + allocation.quarantineDays * DAY_MS);
    await tx.update(vlanAllocations).set({ state: "quarantined", releasedAt: now, quarantinedUntil: until }).where(eq(vlanAllocations.id, allocation.id));
  }
  await tx.update(tenants).set({ state: "offboarded", offboardedAt: now, updatedAt: now }).where(and(eq(tenants.id, tenantId), ne(tenants.state, "offboarded")));
  await recordAudit(tx, actor, {
    action: "tenant.offboarded",
    entityType: "tenant",
    entityId: tenantId,
    tenantId,
    after: { vlanId: allocation?.vlanId ?? null, quarantinedUntil: until?.toISOString() ?? null },
  });
  return until;
}
