/**
 * Notification channels: made (target checked, secret encrypted), tested, deleted. A channel
 * belongs to the operators (tenantId null) or to one tenant; the actions decide who may touch
 * which, from the database, and these commands do what they are told for that owner.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import ipaddr from "ipaddr.js";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { notificationChannels, notificationDeliveries, notificationGroups, notificationRoutes, tenants, type ChannelSettings } from "@/lib/db/schema";
import { DELIVERY_LIMITS, DELIVERY_STATUS } from "@/lib/domain/notifications";
import { recordVersion } from "@/lib/domain/tenant-version";
import { attemptDelivery, recordAttempt } from "@/lib/notifications/deliver";
import { buildTestNotification } from "@/lib/notifications/payload";
import { loadAllowedHosts, policyFor } from "@/lib/notifications/sender";
import { redactUrl } from "@/lib/notifications/redact-url";
import { newWebhookSecret } from "@/lib/notifications/signature";
import { checkHost, parseTargetUrl, TargetRefusedError, type Resolver } from "@/lib/notifications/target-policy";
import { lookupAll } from "@/lib/notifications/transports/smtp";
import { encryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import type { ChannelChange, ChannelInput } from "@/lib/validation/notifications";
import { lockNotificationGroupsInIdOrder } from "./lock-in-id-order";
import type { CommandRefusal } from "./result";

export type ChannelEnv = { secretsKey: Uint8Array; allowLoopback: boolean; resolve?: Resolver };

const refusal = (field: string, message: string): CommandRefusal => ({ ok: false, status: 400, message: "Some fields need attention.", errors: { [field]: [message] } });

/**
 * Makes a channel. The target is checked now (URL rules, DNS, address ranges) so a mistake is
 * refused by field rather than discovered at the first warning. A webhook's signing secret is
 * made here and returned once, to be copied into the receiver.
 */
type CheckedTarget = {
  settings: ChannelSettings;
  /** The secret to store encrypted: null keeps none (or, on an update, the one stored). */
  secret: { plaintext: string; purpose: (typeof SECRET_PURPOSE)[keyof typeof SECRET_PURPOSE] } | null;
};

/**
 * The target checked now (URL rules, DNS, address ranges) so a mistake is refused by field
 * rather than discovered at the first warning. A webhook's signing secret is not made here.
 */
async function checkTarget(db: Database, tenantId: string | null, input: ChannelInput, env: ChannelEnv): Promise<CheckedTarget | CommandRefusal> {
  const policy = policyFor({ tenantId }, env.allowLoopback, tenantId === null ? await loadAllowedHosts(db) : new Set());
  const resolve = env.resolve ?? lookupAll;
  try {
    if (input.kind === "email") {
      let addresses: string[];
      try {
        addresses = await checkHost(input.host, policy, resolve);
      } catch (error) {
        if (error instanceof TargetRefusedError) return refusal("host", error.message);
        throw error;
      }
      if (input.security === "none" && !addresses.every((a) => ipaddr.parse(a).range() === "loopback")) {
        return refusal("security", "Plain SMTP is only for a mail sink on this machine; choose STARTTLS or TLS.");
      }
      const settings: ChannelSettings = { kind: "email", host: input.host, port: input.port, security: input.security, username: input.username ?? null, from: input.from, to: input.to };
      return { settings, secret: input.password ? { plaintext: input.password, purpose: SECRET_PURPOSE.smtpPassword } : null };
    }
    const url = parseTargetUrl(input.url, policy);
    await checkHost(url.hostname, policy, resolve);
    if (input.kind === "webhook") return { settings: { kind: "webhook", url: url.toString() }, secret: null };
    return { settings: { kind: "teams", host: url.host }, secret: { plaintext: url.toString(), purpose: SECRET_PURPOSE.teamsUrl } };
  } catch (error) {
    if (error instanceof TargetRefusedError) return refusal("url", error.message);
    throw error;
  }
}

/**
 * Makes a channel. A webhook's signing secret is made here and returned once, to be copied into
 * the receiver.
 */
export async function createChannel(
  db: Database,
  actor: Principal,
  tenantId: string | null,
  input: ChannelInput,
  env: ChannelEnv,
): Promise<{ ok: true; channelId: string; signingSecret: string | null } | CommandRefusal> {
  const gone = await refusedForOffboarded(db, tenantId, "added");
  if (gone) return gone;
  const checked = await checkTarget(db, tenantId, input, env);
  if ("ok" in checked) return checked;
  const { settings } = checked;
  let { secret } = checked;
  let signingSecret: string | null = null;
  if (input.kind === "webhook") {
    signingSecret = newWebhookSecret();
    secret = { plaintext: signingSecret, purpose: SECRET_PURPOSE.webhookSecret };
  }
  const secretCiphertext = secret ? await encryptSecret(secret.plaintext, env.secretsKey, secret.purpose) : null;
  const channelId = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationChannels)
      .values({ tenantId, kind: input.kind, name: input.name, settings, secretCiphertext, createdBy: actorLabel(actor) })
      .returning({ id: notificationChannels.id });
    await recordAudit(tx, actor, {
      action: "notification-channel.create",
      entityType: "notification-channel",
      entityId: row!.id,
      tenantId,
      // Never the secret: the URL of a Teams channel is one, so only its host is recorded.
      after: { name: input.name, kind: input.kind, target: describeTarget(settings) },
    });
    return row!.id;
  });
  return { ok: true, channelId, signingSecret };
}

/**
 * Changes a channel's name and target, its kind fixed. What is secret is replaced only when sent
 * again: a webhook keeps its signing secret (the receiver checks it), an e-mail channel its SMTP
 * password when none is given and its host and port stay; a Teams channel's URL is its target,
 * so the API always sends it. A webhook or Teams change without a URL (the channel's page, which
 * never shows the stored one) keeps the target as it is, unchecked: only the name changes.
 * `owner`: the channel must belong to it (null: the operators'), else it is not found.
 */
export async function updateChannel(
  db: Database,
  actor: Principal,
  owner: string | null,
  channelId: string,
  input: ChannelChange,
  env: ChannelEnv & { ifVersion?: string },
): Promise<{ ok: true; version: string } | CommandRefusal> {
  const [current] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, channelId));
  if (!current || current.tenantId !== owner) return { ok: false, status: 404, message: "No such channel." };
  const gone = await refusedForOffboarded(db, owner, "changed");
  if (gone) return gone;
  if (current.kind !== input.kind) return refusal("kind", `This channel is a ${current.kind} channel; its kind cannot change. Make a new channel and delete this one.`);
  const checked = keepsTarget(input) ? { settings: current.settings, secret: null } : await checkTarget(db, owner, input, env);
  if ("ok" in checked) return checked;
  const keepsSecret = checked.secret === null;
  // SMTP AUTH hands the password to the server: kept, it would go to whatever host an edit names,
  // and whoever may edit the channel could collect it with a server of their own.
  if (keepsSecret && current.secretCiphertext !== null && movesLogin(current.settings, checked.settings)) {
    return refusal("password", "The server changed: enter the SMTP password again. The stored one is only sent to the host and port it was given for.");
  }
  const secretCiphertext = checked.secret ? await encryptSecret(checked.secret.plaintext, env.secretsKey, checked.secret.purpose) : current.secretCiphertext;
  const readVersion = recordVersion(current);
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(notificationChannels).where(eq(notificationChannels.id, channelId)).for("update");
    if (!locked || locked.tenantId !== owner) return { ok: false as const, status: 404 as const, message: "No such channel." };
    // Pinned to the read the edit was built on (a kept secret is that read's ciphertext), and to the caller's If-Match.
    const version = recordVersion(locked);
    if (version !== readVersion || (env.ifVersion !== undefined && env.ifVersion !== version)) {
      return { ok: false as const, status: 409 as const, reason: "stale" as const, message: "The channel changed since it was read: GET it again, re-apply your change and send the new ETag in If-Match." };
    }
    const [row] = await tx
      .update(notificationChannels)
      .set({ name: input.name, settings: checked.settings, secretCiphertext })
      .where(eq(notificationChannels.id, channelId))
      .returning();
    await recordAudit(tx, actor, {
      action: "notification-channel.update",
      entityType: "notification-channel",
      entityId: channelId,
      tenantId: owner,
      before: { name: current.name, target: describeTarget(current.settings) },
      after: { name: input.name, target: describeTarget(checked.settings), secret: keepsSecret ? "kept" : "replaced" },
    });
    return { ok: true as const, version: recordVersion(row!) };
  });
}

/**
 * An offboarded tenant is heard from no more: its channels can be deleted (and their logs read),
 * not added or changed, whichever door asks (the pages offer neither).
 */
async function refusedForOffboarded(db: Database, owner: string | null, what: "added" | "changed"): Promise<CommandRefusal | null> {
  if (owner === null) return null;
  const [tenant] = await db.select({ state: tenants.state, name: tenants.displayName }).from(tenants).where(eq(tenants.id, owner));
  if (tenant?.state !== "offboarded") return null;
  return { ok: false, status: 409, message: `${tenant.name} is offboarded: its channels can be deleted, not ${what}.` };
}

/** A webhook or Teams change that sends no URL: the channel keeps its target (and a Teams channel its stored URL). */
function keepsTarget(input: ChannelChange): input is Exclude<ChannelChange, ChannelInput> {
  return input.kind !== "email" && input.url === undefined;
}

/** An e-mail channel's login now goes to another host or port than the one its password was given for. */
function movesLogin(before: ChannelSettings, after: ChannelSettings): boolean {
  return before.kind === "email" && after.kind === "email" && (before.host.toLowerCase() !== after.host.toLowerCase() || before.port !== after.port);
}

/**
 * Where a channel sends, for people, the API and the audit trail: never a secret (a Teams URL
 * shows only its host; a webhook URL without its query values and token-like path segments, as
 * many receivers carry their credential there; an SMTP password never).
 */
export function describeTarget(settings: ChannelSettings): string {
  if (settings.kind === "webhook") return redactUrl(settings.url);
  if (settings.kind === "teams") return `Teams via ${settings.host}`;
  return `${settings.to.join(", ")} via ${settings.host}:${settings.port}`;
}

function actorLabel(actor: Principal): string {
  return actorName(actor);
}

export async function deleteChannel(db: Database, actor: Principal, channelId: string): Promise<{ ok: true; name: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    // Its rules' groups go by the cascade: locked first, in id order, as deleteRoute does (the round's inserts check
    // the channel's and the rules' keys; tests/notification-group-lock-order.test.ts).
    await lockNotificationGroupsInIdOrder(tx, inArray(notificationGroups.routeId, tx.select({ id: notificationRoutes.id }).from(notificationRoutes).where(eq(notificationRoutes.channelId, channelId))), "update");
    const [row] = await tx.delete(notificationChannels).where(eq(notificationChannels.id, channelId)).returning();
    if (!row) return { ok: false as const, status: 404 as const, message: "No such channel." };
    await recordAudit(tx, actor, {
      action: "notification-channel.delete",
      entityType: "notification-channel",
      entityId: row.id,
      tenantId: row.tenantId,
      before: { name: row.name, kind: row.kind, target: describeTarget(row.settings) },
    });
    return { ok: true as const, name: row.name };
  });
}

export type TestOutcome = { deliveryId: string; status: keyof typeof DELIVERY_STATUS; answer: string; reason: string | null };

/**
 * "Send test": one attempt, now, through the same transport, target policy and delivery log as
 * every notification, and the receiver's answer back to the person who asked. A test is never
 * retried (nextState) and never waits behind the channel's queue.
 */
export async function sendTestNotification(
  db: Database,
  actor: Principal,
  channelId: string,
  env: ChannelEnv & { consoleUrl: string; now?: Date; ca?: string },
): Promise<{ ok: true; outcome: TestOutcome } | CommandRefusal> {
  const now = env.now ?? new Date();
  const [channel] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, channelId));
  if (!channel) return { ok: false, status: 404, message: "No such channel." };
  const id = randomUUID();
  const token = `test/${randomUUID()}`;
  const [delivery] = await db
    .insert(notificationDeliveries)
    .values({
      id,
      channelId,
      event: "test",
      payload: buildTestNotification({ id, channelName: channel.name, consoleUrl: env.consoleUrl, now }) as unknown as Record<string, unknown>,
      status: "pending",
      nextAttemptAt: now,
      createdAt: now,
      lockedBy: token,
      lockedUntil: new Date(now.getTime() + DELIVERY_LIMITS.leaseMs),
    })
    .returning();
  const policy = policyFor(channel, env.allowLoopback, await loadAllowedHosts(db));
  const started = performance.now();
  const result = await attemptDelivery(channel, delivery!, { now, secretsKey: env.secretsKey, policy, ca: env.ca, resolve: env.resolve });
  await recordAttempt(db, delivery!, channel, token, result, { at: now, durationMs: performance.now() - started });
  const [after] = await db
    .select({ status: notificationDeliveries.status, reason: notificationDeliveries.reason })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.id, id)));
  await recordAudit(db, actor, {
    action: "notification-channel.test",
    entityType: "notification-channel",
    entityId: channelId,
    tenantId: channel.tenantId,
    after: { status: after!.status, answer: result.answer },
  });
  return { ok: true, outcome: { deliveryId: id, status: after!.status, answer: result.answer, reason: after!.reason } };
}

export async function findTenantIdByChannel(id: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ tenantId: notificationChannels.tenantId }).from(notificationChannels).where(eq(notificationChannels.id, id));
  return row?.tenantId ?? null;
}
