/**
 * The dispatcher's round (lib/notifications/dispatch.ts) writes every due notification group, and
 * ending a silence or a maintenance window early wakes every group of its tenant
 * (wakeGroupsNow, lib/commands/notification-rules.ts). Both write several groups of one tenant in
 * one transaction: the round used to lock them in order of their wake time (`flush_at`), one
 * update per group, and the wake in the order its update's plan reached them (the table's). A
 * tenant whose groups' wake times run against the table's order then deadlocked: PostgreSQL aborts
 * one (40P01), the operator's "end now" or the whole round. Both now lock the groups in id order
 * before they write (lib/commands/lock-in-id-order.ts).
 *
 * The race is forced (tests/support/lock-race.ts): a test-only trigger pauses instance A at the
 * first group row its update reaches (locked by then), on an advisory lock the test holds;
 * instance B starts once A waits there, and the advisory lock is released once B waits on a row
 * lock. The tenant's two groups are written so that the table's order reaches the higher id first,
 * and wake time the lower (checked in each test):
 * - the old statements: A holds one group, B takes the other and waits for A's, A then wants B's:
 *   40P01 (the control cases);
 * - in id order, A holds both before its first update, B waits holding nothing, and both finish.
 *   (Run against the code without the locking step, the two races below end in 40P01.)
 * Deleting a rule or its channel takes the rule's groups by the cascade, after the rule's (and the
 * channel's) key; a round that holds one of those groups and inserts one for a tenant without a
 * group checks that key: 40P01 again, until both deletes locked the groups first (the last two
 * tests end in 40P01 without it).
 */
import { randomUUID } from "node:crypto";
import { asc, eq, lte, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { deleteChannel } from "@/lib/commands/notification-channels";
import { deleteRoute, wakeGroupsNow } from "@/lib/commands/notification-rules";
import { endSilence } from "@/lib/commands/quiet-periods";
import type { Database } from "@/lib/db/client";
import { sqlState } from "@/lib/db/errors";
import { notificationChannels, notificationEvents, notificationGroups, notificationRoutes, notificationSilences, tenants } from "@/lib/db/schema";
import { runNotificationDispatch } from "@/lib/notifications/dispatch";
import { queryRows } from "@/lib/telemetry/sql";
import { fleetTenant, insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace } from "./support/lock-race";
import { ADMIN, CONSOLE_URL } from "./support/notification-fixtures";

const NOW = new Date("2026-12-05T14:00:00Z");

describe.skipIf(inject("postgresUnavailable") !== null)("the dispatcher's round and a tenant's wake lock its notification groups in one order [postgres]", () => {
  /** Instance A pauses at the first group it updates (the round's upserts of woken groups too). */
  const lock = useLockRace({ table: "notification_groups", on: "update" });

  const failuresOf = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.flatMap((o) => (o.status === "rejected" ? [sqlState(o.reason) ?? String(o.reason)] : []));

  /** The round's writes before the fix: the due groups read unlocked, then updated one by one in order of wake time. */
  const roundInWakeOrder = (db: Database) =>
    db.transaction(async (tx) => {
      const due = await tx.select({ id: notificationGroups.id }).from(notificationGroups).where(lte(notificationGroups.flushAt, NOW)).orderBy(notificationGroups.flushAt);
      for (const group of due) await tx.update(notificationGroups).set({ flushAt: null, updatedAt: NOW }).where(eq(notificationGroups.id, group.id));
    });
  /** The wake before the fix: one update of the tenant's groups, in the order its plan reaches them. */
  const wakeInTableOrder = (db: Database, tenantId: string) =>
    db.transaction(async (tx) =>
      tx.update(notificationGroups).set({ flushAt: sql`least(coalesce(${notificationGroups.flushAt}, ${NOW.toISOString()}::timestamptz), ${NOW.toISOString()}::timestamptz)` }).where(eq(notificationGroups.tenantId, tenantId)),
    );

  it("control: the round in wake-time order deadlocks with a wake of the tenant in the table's order", async () => {
    const { tenantId } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => roundInWakeOrder(lock.a.db),
      () => wakeInTableOrder(lock.b.db, tenantId),
    );
    expect(failuresOf(outcomes)).toEqual(["40P01"]);
  });

  it("control: the same race the other way round (the wake paused, the round waiting) deadlocks too", async () => {
    const { tenantId } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => wakeInTableOrder(lock.a.db, tenantId),
      () => roundInWakeOrder(lock.b.db),
    );
    expect(failuresOf(outcomes)).toEqual(["40P01"]);
  });

  it("a silence ended early while the dispatcher's round writes the tenant's groups: both finish, and the wake is not lost", async () => {
    const { tenantId, low, high, silenceId } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => runNotificationDispatch(lock.a.db, { now: NOW, consoleUrl: CONSOLE_URL }),
      () => endSilence(lock.b.db, ADMIN, silenceId, NOW),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: { ran: true, events: 0, groupsLooked: 2, notifications: 0, more: false, maintenanceChanges: 0 } },
      { status: "fulfilled", value: { ok: true } },
    ]);
    // The round put both groups to sleep (no warnings), and the wake, which waited for it, woke them again:
    // the next round looks at the tenant with the silence over, instead of the round overwriting the wake.
    expect(await flushTimes(lock.a.db, tenantId)).toEqual({ [low]: NOW, [high]: NOW });
  });

  it("the round starts while a wake holds the tenant's groups: it waits for the wake and looks at both", async () => {
    const { tenantId, low, high } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => lock.a.db.transaction((tx) => wakeGroupsNow(tx, tenantId, NOW)),
      () => runNotificationDispatch(lock.b.db, { now: NOW, consoleUrl: CONSOLE_URL }),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes[1]).toEqual({ status: "fulfilled", value: { ran: true, events: 0, groupsLooked: 2, notifications: 0, more: false, maintenanceChanges: 0 } });
    expect(await flushTimes(lock.a.db, tenantId)).toEqual({ [low]: null, [high]: null });
  });

  // The round holds a group of the rule and then inserts one for a tenant that had none: its foreign key
  // check takes the rule's key (and its channel's). Deleting the rule or its channel held those first and
  // then waited, by the cascade, for the round's group: 40P01, before they locked the groups first.
  const wakeRuleForTwoTenants = async (tenantId: string, other: string) =>
    // The round's events: one for the tenant whose group exists (its upsert pauses there), one for a tenant with none yet.
    lock.a.db.insert(notificationEvents).values([tenantId, other].map((id, i) => ({ tenantId: id, dedupeKey: `lock-order-${i}-${randomUUID()}`, change: "opened" as const, kind: "tunnel-down", severity: "critical" as const, at: NOW })));

  it("a rule deleted while the round wakes its groups (one new): both finish, the rule and its groups gone", async () => {
    const { tenantId, routeId, other } = await makeRuleWithNewTenant(lock.a.db);
    await wakeRuleForTwoTenants(tenantId, other);
    const outcomes = await lock.race(
      () => runNotificationDispatch(lock.a.db, { now: NOW, consoleUrl: CONSOLE_URL }),
      () => deleteRoute(lock.b.db, ADMIN, routeId),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes[1]).toEqual({ status: "fulfilled", value: { ok: true } });
    expect(await lock.a.db.select().from(notificationGroups).where(eq(notificationGroups.routeId, routeId))).toEqual([]);
  });

  it("a channel deleted while the round wakes its rule's groups (one new): both finish, the rule and its groups gone", async () => {
    const { tenantId, routeId, channelId, other } = await makeRuleWithNewTenant(lock.a.db);
    await wakeRuleForTwoTenants(tenantId, other);
    const outcomes = await lock.race(
      () => runNotificationDispatch(lock.a.db, { now: NOW, consoleUrl: CONSOLE_URL }),
      () => deleteChannel(lock.b.db, ADMIN, channelId),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes[1]).toMatchObject({ status: "fulfilled", value: { ok: true } });
    expect(await lock.a.db.select().from(notificationRoutes).where(eq(notificationRoutes.id, routeId))).toEqual([]);
    expect(await lock.a.db.select().from(notificationGroups).where(eq(notificationGroups.routeId, routeId))).toEqual([]);
  });
});

/** A rule on every tenant, its group for one tenant (due), and another tenant without a group yet. */
async function makeRuleWithNewTenant(db: Database): Promise<{ tenantId: string; routeId: string; channelId: string; other: string }> {
  await runNotificationDispatch(db, { now: NOW, consoleUrl: CONSOLE_URL });
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant, other] = await db
    .insert(tenants)
    .values([1, 2].map((n) => fleetTenant(cloud.id, n, { slug: `nr${n}-${suffix}`, displayName: "Rule lock order" })))
    .returning({ id: tenants.id });
  const [channel] = await db
    .insert(notificationChannels)
    .values({ tenantId: null, kind: "webhook", name: `nr-${suffix}`, settings: { kind: "webhook", url: "http://127.0.0.1:9/hook" }, createdBy: "test" })
    .returning({ id: notificationChannels.id });
  const [route] = await db
    .insert(notificationRoutes)
    .values({ tenantId: null, channelId: channel!.id, matchTenantId: null, groupWaitSeconds: 30, repeatIntervalMinutes: 60, createdBy: "test" })
    .returning({ id: notificationRoutes.id });
  await db.insert(notificationGroups).values({ routeId: route!.id, tenantId: tenant!.id, flushAt: new Date(NOW.getTime() - 60_000) });
  return { tenantId: tenant!.id, routeId: route!.id, channelId: channel!.id, other: other!.id };
}

async function flushTimes(db: Database, tenantId: string): Promise<Record<string, Date | null>> {
  const rows = await db.select({ id: notificationGroups.id, flushAt: notificationGroups.flushAt }).from(notificationGroups).where(eq(notificationGroups.tenantId, tenantId));
  return Object.fromEntries(rows.map((row) => [row.id, row.flushAt]));
}

/**
 * An active tenant with two operators' rules on it, each with its group, both due, and a silence
 * on it that covers NOW. The higher id is written first, so a scan of the table reaches it first;
 * the lower id is due first, so the round reaches it first. No warnings: a round only sets the
 * groups' next wake (none).
 */
async function makeTenant(db: Database): Promise<{ tenantId: string; low: string; high: string; silenceId: string }> {
  // Whatever an earlier race left due (its aborted side, a wake after a round) is settled first: each race writes only this tenant's groups.
  await runNotificationDispatch(db, { now: NOW, consoleUrl: CONSOLE_URL });
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db.insert(tenants).values(fleetTenant(cloud.id, 1, { slug: `ng-${suffix}`, displayName: "Group lock order" })).returning({ id: tenants.id });
  const tenantId = tenant!.id;
  const [channel] = await db
    .insert(notificationChannels)
    .values({ tenantId: null, kind: "webhook", name: `ng-${suffix}`, settings: { kind: "webhook", url: "http://127.0.0.1:9/hook" }, createdBy: "test" })
    .returning({ id: notificationChannels.id });
  const rule = { tenantId: null, channelId: channel!.id, matchTenantId: tenantId, groupWaitSeconds: 30, repeatIntervalMinutes: 60, createdBy: "test" };
  const routes = await db.insert(notificationRoutes).values([rule, rule]).returning({ id: notificationRoutes.id });
  const [low, high] = [randomUUID(), randomUUID()].sort() as [string, string];
  await db.insert(notificationGroups).values({ id: high, routeId: routes[0]!.id, tenantId, flushAt: new Date(NOW.getTime() - 60_000) });
  await db.insert(notificationGroups).values({ id: low, routeId: routes[1]!.id, tenantId, flushAt: new Date(NOW.getTime() - 120_000) });
  const [silence] = await db
    .insert(notificationSilences)
    .values({ ownerTenantId: null, tenantId, startsAt: new Date(NOW.getTime() - 3_600_000), endsAt: new Date(NOW.getTime() + 3_600_000), reason: "lock order test", createdBy: "test" })
    .returning({ id: notificationSilences.id });
  // The premise of every race here: the table's order and the wake-time order are opposite.
  const tableOrder = await queryRows<{ id: string }>(db, sql`select id from notification_groups where tenant_id = ${tenantId}::uuid order by ctid`);
  expect(tableOrder.map((row) => row.id)).toEqual([high, low]);
  const wakeOrder = await db.select({ id: notificationGroups.id }).from(notificationGroups).where(eq(notificationGroups.tenantId, tenantId)).orderBy(asc(notificationGroups.flushAt));
  expect(wakeOrder.map((row) => row.id)).toEqual([low, high]);
  return { tenantId, low, high, silenceId: silence!.id };
}
