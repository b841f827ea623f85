/**
 * The operators' channels are not starved by tenants' ones. A round claims a handful of channel
 * heads (sender.ts); a tenant admin may make as many channels as they like, each with a due
 * delivery to a receiver that is slow or down. Were heads taken by due time alone, the
 * operators' pager would wait behind all of them, round after round.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChannel } from "@/lib/commands/notification-channels";
import { notificationDeliveries } from "@/lib/db/schema";
import { buildTestNotification } from "@/lib/notifications/payload";
import { runNotificationSender } from "@/lib/notifications/sender";
import { describeEachDatabase } from "./support/databases";
import { ADMIN, CONSOLE_URL, seedTenants, testClock } from "./support/notification-fixtures";
import { startHttpsReceiver, type HttpsReceiver } from "./support/receivers";

let receiver: HttpsReceiver;
beforeAll(async () => {
  receiver = await startHttpsReceiver();
});
afterAll(async () => receiver?.close());

describeEachDatabase("notification sender fairness", ({ handle, kind }) => {
  it("claims the operators' due delivery, and each tenant's, in the first round, however many of one tenant's channels were due before them", async () => {
    const db = handle().db;
    const fixtures = await seedTenants(db);
    const clock = testClock();
    const env = { secretsKey: fixtures.secretsKey, allowLoopback: true };
    const queue = async (channelId: string, at: Date) => {
      const payload = buildTestNotification({ id: crypto.randomUUID(), channelName: "x", consoleUrl: CONSOLE_URL, now: at });
      const [row] = await db
        .insert(notificationDeliveries)
        .values({ channelId, event: "firing", payload: payload as unknown as Record<string, unknown>, status: "pending", nextAttemptAt: at, createdAt: at })
        .returning({ id: notificationDeliveries.id });
      return row!.id;
    };
    const limit = 4;
    for (let i = 0; i < limit * 2; i++) {
      const made = await createChannel(db, ADMIN, fixtures.tenantId("contoso"), { kind: "webhook", name: `Tenant ${i}`, url: receiver.url(`/tenant-${kind}-${i}`) }, env);
      if (!made.ok) throw new Error(made.message);
      await queue(made.channelId, clock.at(i));
    }
    const pager = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Operators' pager", url: receiver.url(`/pager-${kind}`) }, env);
    if (!pager.ok) throw new Error(pager.message);
    const pagerDelivery = await queue(pager.channelId, clock.at(60));
    // Another tenant's one channel, due last of all: it gets its turn before contoso's second.
    const other = await createChannel(db, ADMIN, fixtures.tenantId("fabrikam"), { kind: "webhook", name: "Fabrikam hook", url: receiver.url(`/other-${kind}`) }, env);
    if (!other.ok) throw new Error(other.message);
    const otherDelivery = await queue(other.channelId, clock.at(90));

    const round = await runNotificationSender(db, { now: clock.at(120), workerId: "fairness", secretsKey: fixtures.secretsKey, allowLoopback: true, ca: receiver.ca, limit });
    expect(round.claimed).toBe(limit);
    const [after] = await db.select({ status: notificationDeliveries.status }).from(notificationDeliveries).where(eq(notificationDeliveries.id, pagerDelivery));
    expect(after!.status).toBe("delivered");
    const [otherAfter] = await db.select({ status: notificationDeliveries.status }).from(notificationDeliveries).where(eq(notificationDeliveries.id, otherDelivery));
    expect(otherAfter!.status).toBe("delivered");
    expect(receiver.received.filter((r) => r.path === `/pager-${kind}`)).toHaveLength(1);
  });
});
