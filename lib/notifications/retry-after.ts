/**
 * When to try a delivery again. Retry-After is honoured as HTTP defines it (seconds, or an
 * HTTP date), capped at DELIVERY_LIMITS.maxRetryAfterMs; otherwise 10 s doubling per attempt up
 * to 5 min. No random jitter: each channel has one delivery in flight at a time (sender.ts), so
 * there is no herd to spread, and a schedule a test can predict is worth more.
 */
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";

/** Milliseconds to wait, from a Retry-After header, or undefined when it says nothing usable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Math.min(Number(text) * 1000, DELIVERY_LIMITS.maxRetryAfterMs);
  // An HTTP date is always in GMT (RFC 9110); anything else Date.parse would guess at.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now.getTime()), DELIVERY_LIMITS.maxRetryAfterMs);
}

/** The wait after the `attempts`-th failed attempt (1 for the first). */
export function backoffMs(attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(DELIVERY_LIMITS.backoffBaseMs * 2 ** Math.min(exponent, 20), DELIVERY_LIMITS.backoffMaxMs);
}
