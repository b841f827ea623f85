/**
 * The dispatcher: turns warning events into notifications, Alertmanager-style. One round, in one
 * transaction under an advisory lock (so with several instances exactly one dispatches at a time,
 * and a crash mid-round leaves nothing half-done):
 *
 * 1. keeps the tunnels' maintenance state in step with the windows;
 * 2. folds new events into groups: each rule covering the event's tenant gets its group for that
 *    tenant woken after the rule's group wait (the earliest wake wins, so a burst of warnings
 *    within the wait becomes one notification);
 * 3. looks at every group that is due (routing.ts planFlush) and writes a delivery for each
 *    notification it decides on, with the group's new state.
 * Every existing group the round may write (those steps 2 wakes, those due) is locked first, in id
 * order, the order wakeGroupsNow locks a tenant's groups in (lib/commands/lock-in-id-order.ts): the
 * round used to lock them in order of wake time and a silence ended early in the table's, and the
 * two deadlocked on PostgreSQL (tests/notification-group-lock-order.test.ts). Step 3 then writes
 * only groups the round holds: one that falls due meanwhile waits for the next round.
 * Reads are fleet-wide and few: the due groups' tenants' warnings, silences and windows at once.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import {
  maintenanceWindows,
  notificationDeliveries,
  notificationEvents,
  notificationGroups,
  notificationRoutes,
  notificationSilences,
  tenants,
  tunnels,
  warnings,
} from "@/lib/db/schema";
import { lockNotificationGroupsInIdOrder } from "@/lib/commands/lock-in-id-order";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import { uuidArray } from "@/lib/telemetry/evaluation/due";
import { queryRows } from "@/lib/telemetry/sql";
import { syncTunnelMaintenance } from "./maintenance-windows";
import { buildNotification, describeWarning, type WarningFacts } from "./payload";
import { planFlush, ruleCoversTenant, type Rule } from "./routing";

/** Ours alone among the console's advisory locks ("bhnt"). */
export const DISPATCH_LOCK = 0x62686e74;

export type DispatchRound =
  | { ran: false }
  | { ran: true; events: number; groupsLooked: number; notifications: number; more: boolean; maintenanceChanges: number };

export async function runNotificationDispatch(db: Database, options: { now: Date; consoleUrl: string; batch?: number }): Promise<DispatchRound> {
  const { now, consoleUrl } = options;
  const batch = options.batch ?? 500;
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${DISPATCH_LOCK}::bigint) as locked`);
    if (!lock?.locked) return { ran: false } as const;
    const maintenanceChanges = await syncTunnelMaintenance(tx, now);
    const rules = (await tx.select().from(notificationRoutes)) as Rule[] & (typeof notificationRoutes.$inferSelect)[];

    const events = await tx
      .select({ id: notificationEvents.id, tenantId: notificationEvents.tenantId, at: notificationEvents.at })
      .from(notificationEvents)
      .where(isNull(notificationEvents.processedAt))
      .orderBy(notificationEvents.id)
      .limit(batch);
    const wakes = planWakes(rules, events);
    const held = await lockRoundGroups(tx, wakes, now, batch);
    if (events.length > 0) {
      held.push(...(await wakeGroups(tx, wakes)));
      await tx.update(notificationEvents).set({ processedAt: now }).where(inArray(notificationEvents.id, events.map((e) => e.id)));
    }

    await forgetOldRecords(tx, now);

    const due =
      held.length > 0
        ? await tx
            .select()
            .from(notificationGroups)
            .where(and(sql`${notificationGroups.id} = any(${uuidArray([...new Set(held)])})`, lte(notificationGroups.flushAt, now)))
            .orderBy(notificationGroups.flushAt)
            .limit(batch)
        : [];
    const notifications = due.length > 0 ? await flushGroups(tx, rules, due, now, consoleUrl) : 0;
    return { ran: true, events: events.length, groupsLooked: due.length, notifications, more: events.length === batch || due.length === batch, maintenanceChanges };
  });
}

/** Processed events after a day, finished deliveries (with their attempts) after 30: in bounded batches, a few each round. */
async function forgetOldRecords(tx: Database, now: Date) {
  const events = new Date(now.getTime() - DELIVERY_LIMITS.eventRetentionMs).toISOString();
  const log = new Date(now.getTime() - DELIVERY_LIMITS.logRetentionMs).toISOString();
  await tx.execute(sql`delete from notification_events where id in (select id from notification_events where processed_at < ${events}::timestamptz limit 5000)`);
  await tx.execute(
    sql`delete from notification_deliveries where id in (select id from notification_deliveries where status <> 'pending' and finished_at < ${log}::timestamptz limit 1000)`,
  );
}

type Wake = { routeId: string; tenantId: string; flushAt: Date };

/** Each rule covering an event's tenant wakes its group for that tenant after the rule's group wait; the earliest wake wins. */
function planWakes(rules: Rule[], events: { tenantId: string; at: Date }[]): Wake[] {
  const wakes = new Map<string, Wake>();
  for (const event of events) {
    for (const rule of rules) {
      if (!ruleCoversTenant(rule, event.tenantId)) continue;
      const key = `${rule.id}/${event.tenantId}`;
      const at = new Date(event.at.getTime() + rule.groupWaitSeconds * 1000);
      const known = wakes.get(key);
      if (!known || at < known.flushAt) wakes.set(key, { routeId: rule.id, tenantId: event.tenantId, flushAt: at });
    }
  }
  return [...wakes.values()];
}

/** Locks, in id order, the existing groups the wakes name and the first `batch` due ones; returns their ids. */
async function lockRoundGroups(tx: Database, wakes: Wake[], now: Date, batch: number): Promise<string[]> {
  const dueIds = (
    await tx.select({ id: notificationGroups.id }).from(notificationGroups).where(lte(notificationGroups.flushAt, now)).orderBy(notificationGroups.flushAt).limit(batch)
  ).map((row) => row.id);
  const woken =
    wakes.length > 0
      ? sql`(${notificationGroups.routeId}, ${notificationGroups.tenantId}) in (select * from unnest(${uuidArray(wakes.map((w) => w.routeId))}, ${uuidArray(wakes.map((w) => w.tenantId))}))`
      : undefined;
  const due = dueIds.length > 0 ? sql`${notificationGroups.id} = any(${uuidArray(dueIds)})` : undefined;
  const where = or(woken, due);
  return where ? lockNotificationGroupsInIdOrder(tx, where, "no key update") : [];
}

/** Writes the wakes (the round holds every existing group they name); returns the groups' ids, new ones included. */
async function wakeGroups(tx: Database, wakes: Wake[]): Promise<string[]> {
  if (wakes.length === 0) return [];
  // An offboarded tenant's row stays (history), so the foreign key holds for every event's tenant.
  const rows = await tx
    .insert(notificationGroups)
    .values(wakes)
    .onConflictDoUpdate({
      target: [notificationGroups.routeId, notificationGroups.tenantId],
      set: { flushAt: sql`least(coalesce(${notificationGroups.flushAt}, excluded.flush_at), excluded.flush_at)` },
    })
    .returning({ id: notificationGroups.id });
  return rows.map((row) => row.id);
}

type GroupRow = typeof notificationGroups.$inferSelect;

async function flushGroups(tx: Database, rules: Rule[], due: GroupRow[], now: Date, consoleUrl: string): Promise<number> {
  const ruleById = new Map(rules.map((r) => [r.id, r as Rule & { channelId: string }]));
  const tenantIds = [...new Set(due.map((g) => g.tenantId))];
  const announcedIds = [...new Set(due.flatMap((g) => Object.keys(g.announced)))];

  const warningRows = await tx
    .select({
      id: warnings.id,
      tenantId: warnings.tenantId,
      tunnelId: warnings.tunnelId,
      kind: warnings.kind,
      severity: warnings.severity,
      state: warnings.state,
      message: warnings.message,
      openedAt: warnings.openedAt,
      resolvedAt: warnings.resolvedAt,
      tenantSlug: tenants.slug,
      tenantName: tenants.displayName,
      tunnelName: tunnels.name,
    })
    .from(warnings)
    .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
    .leftJoin(tunnels, eq(tunnels.id, warnings.tunnelId))
    .where(
      and(
        inArray(warnings.tenantId, tenantIds),
        announcedIds.length > 0 ? or(ne(warnings.state, "resolved"), inArray(warnings.id, announcedIds)) : ne(warnings.state, "resolved"),
      ),
    );
  const silences = await tx
    .select()
    .from(notificationSilences)
    .where(and(lte(notificationSilences.startsAt, now), sql`${notificationSilences.endsAt} > ${now.toISOString()}::timestamptz`));
  const windows = await tx
    .select()
    .from(maintenanceWindows)
    .where(and(inArray(maintenanceWindows.tenantId, tenantIds), lte(maintenanceWindows.startsAt, now), sql`${maintenanceWindows.endsAt} > ${now.toISOString()}::timestamptz`));
  const tenantRows = await tx.select({ id: tenants.id, slug: tenants.slug, name: tenants.displayName }).from(tenants).where(inArray(tenants.id, tenantIds));
  const tenantById = new Map(tenantRows.map((t) => [t.id, t]));
  const warningsByTenant = new Map<string, typeof warningRows>();
  for (const w of warningRows) (warningsByTenant.get(w.tenantId) ?? warningsByTenant.set(w.tenantId, []).get(w.tenantId)!).push(w);

  let written = 0;
  for (const group of due) {
    const rule = ruleById.get(group.routeId);
    const tenant = tenantById.get(group.tenantId);
    if (!rule || !tenant) continue;
    const tenantWarnings = warningsByTenant.get(group.tenantId) ?? [];
    const active = tenantWarnings.filter((w) => w.state !== "resolved");
    const plan = planFlush({
      rule,
      group: { announced: group.announced, lastFiringAt: group.lastFiringAt },
      warnings: tenantWarnings.filter((w) => w.state !== "resolved" || w.id in group.announced),
      facts: { silences, windows: windows.filter((w) => w.tenantId === group.tenantId), active },
      now,
    });
    if (plan.notify) {
      const facts = new Map(tenantWarnings.map((w) => [w.id, w as WarningFacts]));
      const id = randomUUID();
      const notification = buildNotification({
        id,
        event: plan.notify.event,
        tenant: { slug: tenant.slug, name: tenant.name },
        groupKey: `${rule.id}/${tenant.slug}`,
        firing: plan.notify.firing.map(({ warning, isNew }) => describeWarning(facts.get(warning.id)!, consoleUrl, isNew)),
        // A resolved warning whose row is gone (it cannot be, today: warnings are kept) is left out rather than invented.
        resolved: plan.notify.resolved.flatMap((wid) => (facts.has(wid) ? [describeWarning(facts.get(wid)!, consoleUrl, false)] : [])),
        consoleUrl,
        now,
      });
      await tx.insert(notificationDeliveries).values({
        id,
        channelId: rule.channelId,
        groupId: group.id,
        event: plan.notify.event,
        payload: notification as unknown as Record<string, unknown>,
        status: "pending",
        nextAttemptAt: now,
        createdAt: now,
      });
      written++;
    }
    await tx
      .update(notificationGroups)
      .set({ announced: plan.next.announced, lastFiringAt: plan.next.lastFiringAt, flushAt: plan.next.flushAt, updatedAt: now })
      .where(eq(notificationGroups.id, group.id));
  }
  return written;
}
