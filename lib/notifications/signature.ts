/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>` with the channel's secret, sent
 * as `Bridgehead-Signature: v1=<hex>` beside `Bridgehead-Timestamp: <unix seconds>`. Binding the
 * timestamp lets a receiver refuse a replay of an old, validly signed request; the raw body (not
 * re-serialised JSON) is what both sides hash, so formatting cannot break verification.
 * docs/notifications.md documents the headers and carries a sample verifier.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADERS = {
  signature: "bridgehead-signature",
  timestamp: "bridgehead-timestamp",
  delivery: "bridgehead-delivery",
  event: "bridgehead-event",
} as const;

/** How far a receiver should accept a timestamp from its own clock (the sample verifier's default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new channel's signing secret: 256 random bits, shown once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * The receiving side, as the built-in receiver and the tests use it (docs/notifications.md has
 * the same in a few lines for people writing their own).
 */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | null; timestamp: string | null },
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): VerifyResult {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: "signature or timestamp header missing" };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, reason: "timestamp is not a number of seconds" };
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: `timestamp is more than ${toleranceSeconds} s away from now` };
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  // A header may carry several signatures (during a secret rotation): any one may match.
  const offered = headers.signature.split(",").map((part) => Buffer.from(part.trim()));
  return offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))
    ? { ok: true }
    : { ok: false, reason: "signature does not match" };
}
