/**
 * The sender: takes due deliveries out of the outbox and hands them to their receivers, so that
 * with any number of console instances on one PostgreSQL each is sent once.
 *
 * - A channel's deliveries go out in the order they were made, one at a time: only the oldest
 *   pending delivery of a channel (its head) is ever claimed. A "resolved" never overtakes its
 *   "firing", and a receiver that is down is asked once per backoff, not once per message.
 * - A head is claimed with FOR UPDATE SKIP LOCKED and a lease under a token of this round's own
 *   (as lib/avs/provisioning.ts does): another instance skips it while the lease holds, and takes
 *   it over once it has run out (its sender died mid-send).
 * - Outcomes are written only while the token still holds the claim (deliver.ts).
 * - Deliveries older than the age limit expire, with the receiver's last answer as the reason.
 * The one window for a duplicate is a crash after the receiver accepted and before the outcome
 * was written; the Bridgehead-Delivery header (and the e-mail's Message-ID) let a receiver drop
 * it.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { notificationAllowedHosts, notificationChannels, notificationDeliveries } from "@/lib/db/schema";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import { queryRows, timeParam } from "@/lib/telemetry/sql";
import { attemptDelivery, expiryReason, recordAttempt, type Channel, type Delivery } from "./deliver";
import type { Resolver, TargetPolicy } from "./target-policy";

export type SenderOptions = {
  now: Date;
  /** Names this instance in claims; each round adds a random part, so replicas sharing a host name never share a token. */
  workerId: string;
  secretsKey: Uint8Array;
  /** The embedded defaults allow loopback receivers (the built-in ones). */
  allowLoopback: boolean;
  /** How many channels' heads one round claims; they are sent in parallel. */
  limit?: number;
  ca?: string;
  resolve?: Resolver;
};

export type SenderRound = { expired: number; claimed: number; delivered: number; retrying: number; failed: number };

/** The policy of a channel: operators' channels may reach hosts an admin allowed; tenants' never. */
export function policyFor(channel: Pick<Channel, "tenantId">, allowLoopback: boolean, allowedHosts: ReadonlySet<string>): TargetPolicy {
  return { allowLoopback, allowedHosts: channel.tenantId === null ? allowedHosts : new Set() };
}

export async function loadAllowedHosts(db: Database): Promise<Set<string>> {
  return new Set((await db.select({ host: notificationAllowedHosts.host }).from(notificationAllowedHosts)).map((r) => r.host));
}

export async function runNotificationSender(db: Database, options: SenderOptions): Promise<SenderRound> {
  const { now } = options;
  const expired = await expireStale(db, now);
  const token = `${options.workerId}/${randomUUID()}`;
  const claimed = await claimHeads(db, token, now, options.limit ?? 8);
  const round: SenderRound = { expired, claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return round;

  const channels = new Map(
    (await db.select().from(notificationChannels).where(inArray(notificationChannels.id, [...new Set(claimed.map((d) => d.channelId))]))).map((c) => [c.id, c]),
  );
  const allowedHosts = await loadAllowedHosts(db);
  await Promise.all(
    claimed.map(async (delivery) => {
      const channel = channels.get(delivery.channelId);
      if (!channel) return; // deleted since the claim; its deliveries went with it
      const started = performance.now();
      const result = await attemptDelivery(channel, delivery, {
        now,
        secretsKey: options.secretsKey,
        policy: policyFor(channel, options.allowLoopback, allowedHosts),
        ca: options.ca,
        resolve: options.resolve,
      });
      const written = await recordAttempt(db, delivery, channel, token, result, { at: now, durationMs: performance.now() - started });
      if (!written) return;
      if (result.outcome === "delivered") round.delivered++;
      else if (result.outcome === "retry") round.retrying++;
      else round.failed++;
    }),
  );
  return round;
}

/**
 * Claims the head of every channel whose head is due and unclaimed. The heads are found on this
 * transaction's snapshot; the lock then re-reads each row, and SKIP LOCKED leaves to others the
 * ones another sender is claiming at this moment.
 */
async function claimHeads(db: Database, token: string, now: Date, limit: number): Promise<Delivery[]> {
  return db.transaction(async (tx) => {
    const heads = await queryRows<{ id: string }>(
      tx,
      sql`select id from (
            select distinct on (channel_id) id, next_attempt_at, locked_until
            from notification_deliveries
            where status = 'pending'
            order by channel_id, created_at, id
          ) as head
          where next_attempt_at <= ${timeParam(now)} and (locked_until is null or locked_until < ${timeParam(now)})
          order by next_attempt_at
          limit ${limit}`,
    );
    if (heads.length === 0) return [];
    const free = or(isNull(notificationDeliveries.lockedUntil), lt(notificationDeliveries.lockedUntil, now));
    const lockable = await tx
      .select({ id: notificationDeliveries.id })
      .from(notificationDeliveries)
      .where(and(inArray(notificationDeliveries.id, heads.map((h) => h.id)), eq(notificationDeliveries.status, "pending"), free))
      .for("update", { skipLocked: true });
    if (lockable.length === 0) return [];
    return tx
      .update(notificationDeliveries)
      .set({ lockedBy: token, lockedUntil: new Date(now.getTime() + DELIVERY_LIMITS.leaseMs) })
      .where(inArray(notificationDeliveries.id, lockable.map((l) => l.id)))
      .returning();
  });
}

/** Pending deliveries past the age limit, not claimed by anyone, expire with the last answer as their reason. */
async function expireStale(db: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - DELIVERY_LIMITS.maxAgeMs);
  const stale = await db
    .select({ id: notificationDeliveries.id, lastAnswer: notificationDeliveries.lastAnswer })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.status, "pending"),
        lt(notificationDeliveries.createdAt, cutoff),
        or(isNull(notificationDeliveries.lockedUntil), lt(notificationDeliveries.lockedUntil, now)),
      ),
    );
  for (const row of stale) {
    await db
      .update(notificationDeliveries)
      .set({ status: "expired", reason: expiryReason(row.lastAnswer), finishedAt: now })
      .where(and(eq(notificationDeliveries.id, row.id), eq(notificationDeliveries.status, "pending")));
  }
  return stale.length;
}
