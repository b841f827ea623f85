/**
 * One attempt at one claimed delivery: render it for its channel, hand it over, and record what
 * the receiver answered. The record is fenced on the claim (`lockedBy`): a sender whose lease
 * was taken over writes nothing, so the delivery log never shows an attempt twice.
 */
import "server-only";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { notificationAttempts, notificationChannels, notificationDeliveries } from "@/lib/db/schema";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import { decryptSecret, SECRET_PURPOSE, SecretUnreadableError } from "@/lib/secrets";
import { countDeliveryOutcome } from "@/lib/metrics/registry";
import type { Notification } from "./payload";
import { renderEmail, renderTeamsMessage } from "./render";
import { backoffMs } from "./retry-after";
import { SIGNATURE_HEADERS, signWebhook } from "./signature";
import type { TargetPolicy, Resolver } from "./target-policy";
import { postJson } from "./transports/http";
import { sendEmail } from "./transports/smtp";
import type { AttemptResult } from "./transports/types";

export type Channel = typeof notificationChannels.$inferSelect;
export type Delivery = typeof notificationDeliveries.$inferSelect;

export type DeliverOptions = {
  now: Date;
  secretsKey: Uint8Array;
  policy: TargetPolicy;
  /** Tests' own receivers' CA; production trusts the system's CAs (and NODE_EXTRA_CA_CERTS). */
  ca?: string;
  resolve?: Resolver;
};

/** Hands one notification to the channel's receiver, once. */
export async function attemptDelivery(channel: Channel, delivery: Pick<Delivery, "id" | "event" | "payload">, options: DeliverOptions): Promise<AttemptResult> {
  const notification = delivery.payload as unknown as Notification;
  const secret = async (purpose: (typeof SECRET_PURPOSE)[keyof typeof SECRET_PURPOSE]) => {
    if (!channel.secretCiphertext) return null;
    return decryptSecret(channel.secretCiphertext, options.secretsKey, purpose);
  };
  try {
    const settings = channel.settings;
    if (settings.kind === "webhook") {
      const key = await secret(SECRET_PURPOSE.webhookSecret);
      if (!key) return { outcome: "failed", code: null, answer: "The channel has no signing secret; make it again." };
      const body = JSON.stringify(notification);
      const timestamp = Math.floor(options.now.getTime() / 1000);
      return await postJson(
        settings.url,
        body,
        {
          [SIGNATURE_HEADERS.timestamp]: String(timestamp),
          [SIGNATURE_HEADERS.signature]: signWebhook(key, timestamp, body),
          [SIGNATURE_HEADERS.delivery]: delivery.id,
          [SIGNATURE_HEADERS.event]: delivery.event,
        },
        options,
      );
    }
    if (settings.kind === "teams") {
      const url = await secret(SECRET_PURPOSE.teamsUrl);
      if (!url) return { outcome: "failed", code: null, answer: "The channel has no Teams URL; make it again." };
      return await postJson(url, JSON.stringify(renderTeamsMessage(notification)), {}, options);
    }
    const password = await secret(SECRET_PURPOSE.smtpPassword);
    return await sendEmail(settings, password, renderEmail(notification), delivery.id, { policy: options.policy, resolve: options.resolve, ca: options.ca });
  } catch (error) {
    if (error instanceof SecretUnreadableError) return { outcome: "failed", code: null, answer: error.message };
    throw error;
  }
}

/**
 * What an attempt makes of the delivery: delivered; failed for good; tried again after
 * Retry-After or the backoff; or expired when that would be past the age limit. A test is tried
 * once: "Send test" reports the receiver's answer now, it does not queue.
 */
export function nextState(
  delivery: Pick<Delivery, "attempts" | "createdAt" | "event">,
  result: AttemptResult,
  now: Date,
): Pick<Delivery, "status" | "attempts" | "nextAttemptAt" | "lastAnswer" | "reason" | "finishedAt"> {
  const attempts = delivery.attempts + 1;
  const base = { attempts, lastAnswer: result.answer, nextAttemptAt: now };
  if (result.outcome === "delivered") return { ...base, status: "delivered", reason: null, finishedAt: now };
  if (result.outcome === "failed") return { ...base, status: "failed", reason: `The receiver refused it: ${result.answer}`, finishedAt: now };
  if (delivery.event === "test") return { ...base, status: "failed", reason: `Not delivered: ${result.answer}`, finishedAt: now };
  const next = new Date(now.getTime() + (result.retryAfterMs ?? backoffMs(attempts)));
  const expiresAt = delivery.createdAt.getTime() + DELIVERY_LIMITS.maxAgeMs;
  if (next.getTime() >= expiresAt) return { ...base, status: "expired", reason: expiryReason(result.answer), finishedAt: now };
  return { ...base, status: "pending", reason: null, nextAttemptAt: next, finishedAt: null };
}

export function expiryReason(lastAnswer: string | null): string {
  return `Not delivered within ${DELIVERY_LIMITS.maxAgeMs / 3600_000} h; the receiver's last answer: ${lastAnswer ?? "none (never reached)"}`;
}

/** Records an attempt, only while `token` still holds the claim. Returns false when it no longer did. */
export async function recordAttempt(
  db: Database,
  delivery: Delivery,
  channel: Channel,
  token: string,
  result: AttemptResult,
  timing: { at: Date; durationMs: number },
): Promise<boolean> {
  const state = nextState(delivery, result, timing.at);
  return db.transaction(async (tx) => {
    const [written] = await tx
      .update(notificationDeliveries)
      .set({ ...state, lockedBy: null, lockedUntil: null })
      .where(and(eq(notificationDeliveries.id, delivery.id), eq(notificationDeliveries.lockedBy, token)))
      .returning({ id: notificationDeliveries.id });
    if (!written) return false;
    await tx.insert(notificationAttempts).values({
      deliveryId: delivery.id,
      at: timing.at,
      durationMs: Math.round(timing.durationMs),
      code: result.code,
      answer: result.answer,
      outcome: result.outcome,
    });
    countDeliveryOutcome(channel.kind, state.status);
    return true;
  });
}
