/**
 * Routing rules: which warnings go to which channel, grouped and repeated how. A rule and its
 * channel have the same owner (the operators, or one tenant); a tenant's rule can only ever
 * take its own tenant's warnings (routing.ts ruleCoversTenant), whatever is sent.
 */
import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { notificationChannels, notificationGroups, notificationRoutes, tenants } from "@/lib/db/schema";
import type { RouteInput } from "@/lib/validation/notifications";
import { uuidArray } from "@/lib/telemetry/evaluation/due";
import { timeParam } from "@/lib/telemetry/sql";
import { lockNotificationGroupsInIdOrder } from "./lock-in-id-order";
import type { CommandRefusal } from "./result";

const fieldRefusal = (field: string, message: string): CommandRefusal => ({ ok: false, status: 400, message: "Some fields need attention.", errors: { [field]: [message] } });

export async function createRoute(
  db: Database,
  actor: Principal,
  owner: string | null,
  input: Omit<RouteInput, "matchTenantSlug"> & { matchTenantSlug?: string },
  now = new Date(),
): Promise<{ ok: true; routeId: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [channel] = await tx
      .select({ id: notificationChannels.id, name: notificationChannels.name })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.id, input.channelId), owner === null ? isNull(notificationChannels.tenantId) : eq(notificationChannels.tenantId, owner)));
    // Another owner's channel reads as missing, as another tenant's resources do everywhere.
    if (!channel) return fieldRefusal("channelId", "Choose one of the channels listed here.");
    let matchTenantId: string | null = null;
    if (owner === null && input.matchTenantSlug) {
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, input.matchTenantSlug));
      if (!tenant) return fieldRefusal("matchTenantSlug", "No such tenant.");
      matchTenantId = tenant.id;
    }
    const [row] = await tx
      .insert(notificationRoutes)
      .values({
        tenantId: owner,
        channelId: channel.id,
        matchTenantId,
        minSeverity: input.minSeverity,
        kinds: input.kinds,
        groupWaitSeconds: input.groupWaitSeconds,
        repeatIntervalMinutes: input.repeatIntervalMinutes,
        sendResolved: input.sendResolved,
        createdBy: actor.kind === "user" ? actor.signInName : actor.name,
      })
      .returning({ id: notificationRoutes.id });
    // Warnings already open are announced too: a rule made during an incident should not wait
    // for the next change to say anything. Their groups wake after the rule's group wait.
    const tenantFilter = owner ?? matchTenantId;
    await tx.execute(sql`
      insert into notification_groups (route_id, tenant_id, flush_at)
      select ${row!.id}::uuid, w.tenant_id, ${timeParam(new Date(now.getTime() + input.groupWaitSeconds * 1000))}
      from warnings w join tenants t on t.id = w.tenant_id
      where w.state <> 'resolved' and t.state in ('onboarding', 'active')
        ${tenantFilter ? sql`and w.tenant_id = ${tenantFilter}::uuid` : sql``}
      group by w.tenant_id
      on conflict (route_id, tenant_id) do nothing`);
    await recordAudit(tx, actor, {
      action: "notification-route.create",
      entityType: "notification-route",
      entityId: row!.id,
      tenantId: owner ?? matchTenantId,
      after: { channel: channel.name, ...input },
    });
    return { ok: true as const, routeId: row!.id };
  });
}

export async function deleteRoute(db: Database, actor: Principal, routeId: string): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    // The rule's groups go by the cascade. Locked first, in id order, before the rule: a round holding one
    // of them and waking the rule for a tenant with no group yet (its insert checks the rule's key) waited
    // for this delete, which waited for the round's group: 40P01 (tests/notification-group-lock-order.test.ts).
    await lockNotificationGroupsInIdOrder(tx, eq(notificationGroups.routeId, routeId), "update");
    const [row] = await tx.delete(notificationRoutes).where(eq(notificationRoutes.id, routeId)).returning();
    if (!row) return { ok: false as const, status: 404 as const, message: "No such rule." };
    await recordAudit(tx, actor, { action: "notification-route.delete", entityType: "notification-route", entityId: row.id, tenantId: row.tenantId, before: row });
    return { ok: true as const };
  });
}

export async function findTenantIdByRoute(id: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ tenantId: notificationRoutes.tenantId }).from(notificationRoutes).where(eq(notificationRoutes.id, id));
  return row?.tenantId ?? null;
}

/**
 * Groups of these tenants (all, for null) are looked at now: a silence or window ended early may let
 * warnings through. The groups are locked first, in id order, as the dispatcher's round locks the
 * groups it writes: left to the update, they were locked in the table's order, the round locked
 * them in order of their wake time, and the two deadlocked on PostgreSQL (40P01: the operator's
 * "end now" or the round failed; tests/notification-group-lock-order.test.ts). Locked, the wake
 * also lands after a round that holds the groups, instead of the round overwriting it.
 */
export async function wakeGroupsNow(db: Database, tenantId: string | null, now: Date): Promise<void> {
  const ids = await lockNotificationGroupsInIdOrder(db, tenantId ? eq(notificationGroups.tenantId, tenantId) : sql`true`, "no key update");
  if (ids.length === 0) return;
  await db
    .update(notificationGroups)
    .set({ flushAt: sql`least(coalesce(${notificationGroups.flushAt}, ${timeParam(now)}), ${timeParam(now)})` })
    .where(sql`${notificationGroups.id} = any(${uuidArray(ids)})`);
}
