/**
 * The dispatcher's round against a tenant's wake when the group with the lower id is due LAST, so
 * that the round's old order (by wake time, flush_at) runs against the wake's (by id). The fixture
 * of tests/notification-group-lock-order.test.ts puts the lower id on the group due first, where
 * the two orders agree and a round still locking by wake time could neither deadlock nor lose a
 * wake (found by the review of the fourth round). With lib/notifications/dispatch.ts as it was
 * before the round locked in id order (e84f2d1), the first case ends in 40P01 and the second
 * loses the wake.
 */
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { endSilence } from "@/lib/commands/quiet-periods";
import type { Database } from "@/lib/db/client";
import { sqlState } from "@/lib/db/errors";
import { notificationChannels, notificationGroups, notificationRoutes, notificationSilences, tenants } from "@/lib/db/schema";
import { runNotificationDispatch } from "@/lib/notifications/dispatch";
import { queryRows } from "@/lib/telemetry/sql";
import { sql } from "drizzle-orm";
import { fleetTenant, insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace } from "./support/lock-race";
import { ADMIN, CONSOLE_URL } from "./support/notification-fixtures";

const NOW = new Date("2026-12-05T14:00:00Z");

describe.skipIf(inject("postgresUnavailable") !== null)("the round's lock order against a wake when wake time runs against id order [postgres]", () => {
  const lock = useLockRace({ table: "notification_groups", on: "update" });
  const failuresOf = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.flatMap((o) => (o.status === "rejected" ? [sqlState(o.reason) ?? String(o.reason)] : []));

  it("a silence ended while the round writes the tenant's groups, the lower id due last: both finish", async () => {
    const { tenantId, low, high, silenceId } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => runNotificationDispatch(lock.a.db, { now: NOW, consoleUrl: CONSOLE_URL }),
      () => endSilence(lock.b.db, ADMIN, silenceId, NOW),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    const rows = await lock.a.db.select({ id: notificationGroups.id, flushAt: notificationGroups.flushAt }).from(notificationGroups).where(eq(notificationGroups.tenantId, tenantId));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.flushAt]))).toEqual({ [low]: NOW, [high]: NOW });
  });

  it("a silence ended while the round is between reading a tenant's due group and writing it: the wake is not lost", async () => {
    const other = await makeTenant(lock.a.db);
    const { tenantId, low, high, silenceId } = await makeTenant(lock.a.db, { settle: false });
    // The other tenant's group is due first: the round reaches (and pauses at) it before this tenant's.
    await lock.a.db.update(notificationGroups).set({ flushAt: new Date(NOW.getTime() - 600_000) }).where(eq(notificationGroups.id, other.high));
    const waitFor = async (condition: ReturnType<typeof sql>, settled: () => boolean = () => false) => {
      for (let i = 0; i < 600; i++) {
        const [row] = await queryRows<{ n: number }>(lock.b.db, sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and ${condition}`);
        if (row!.n > 0 || settled()) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error("never happened");
    };
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const holder = lock.b.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(4242)`);
      holding();
      await released;
    });
    await held;
    const round = runNotificationDispatch(lock.a.db, { now: NOW, consoleUrl: CONSOLE_URL });
    round.catch(() => undefined);
    await waitFor(sql`application_name = 'bh-lock-a' and wait_event_type = 'Lock' and wait_event = 'advisory'`);
    let ended = false;
    const end = endSilence(lock.b.db, ADMIN, silenceId, NOW).finally(() => (ended = true));
    end.catch(() => undefined);
    await waitFor(sql`application_name = 'bh-lock-b' and wait_event_type = 'Lock' and wait_event in ('transactionid', 'tuple')`, () => ended);
    release();
    const outcomes = await Promise.allSettled([round, end, holder]);
    expect(failuresOf(outcomes)).toEqual([]);
    const rows = await lock.a.db.select({ id: notificationGroups.id, flushAt: notificationGroups.flushAt }).from(notificationGroups).where(eq(notificationGroups.tenantId, tenantId));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.flushAt]))).toEqual({ [low]: NOW, [high]: NOW });
  });
});

async function makeTenant(db: Database, options: { settle?: boolean } = {}) {
  if (options.settle !== false) await runNotificationDispatch(db, { now: NOW, consoleUrl: CONSOLE_URL });
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db.insert(tenants).values(fleetTenant(cloud.id, 1, { slug: `rv-${suffix}`, displayName: "Review lock order" })).returning({ id: tenants.id });
  const tenantId = tenant!.id;
  const [channel] = await db
    .insert(notificationChannels)
    .values({ tenantId: null, kind: "webhook", name: `rv-${suffix}`, settings: { kind: "webhook", url: "http://127.0.0.1:9/hook" }, createdBy: "test" })
    .returning({ id: notificationChannels.id });
  const rule = { tenantId: null, channelId: channel!.id, matchTenantId: tenantId, groupWaitSeconds: 30, repeatIntervalMinutes: 60, createdBy: "test" };
  const routes = await db.insert(notificationRoutes).values([rule, rule]).returning({ id: notificationRoutes.id });
  const [low, high] = [randomUUID(), randomUUID()].sort() as [string, string];
  // The lower id is due last: wake-time order [high, low], id order [low, high].
  await db.insert(notificationGroups).values({ id: low, routeId: routes[0]!.id, tenantId, flushAt: new Date(NOW.getTime() - 60_000) });
  await db.insert(notificationGroups).values({ id: high, routeId: routes[1]!.id, tenantId, flushAt: new Date(NOW.getTime() - 120_000) });
  const [silence] = await db
    .insert(notificationSilences)
    .values({ ownerTenantId: null, tenantId, startsAt: new Date(NOW.getTime() - 3_600_000), endsAt: new Date(NOW.getTime() + 3_600_000), reason: "review", createdBy: "test" })
    .returning({ id: notificationSilences.id });
  const wakeOrder = await db.select({ id: notificationGroups.id }).from(notificationGroups).where(eq(notificationGroups.tenantId, tenantId)).orderBy(asc(notificationGroups.flushAt));
  expect(wakeOrder.map((r) => r.id)).toEqual([high, low]);
  return { tenantId, low, high, silenceId: silence!.id };
}
