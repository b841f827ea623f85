/**
 * What one attempt to hand a notification to a receiver came to. The sender (sender.ts) turns
 * it into the delivery's next state: delivered, another attempt later, or failed for good.
 */
export type AttemptResult =
  | { outcome: "delivered"; code: number | null; answer: string }
  /** Worth trying again: the receiver was down, busy or asked us to wait (`retryAfterMs`). */
  | { outcome: "retry"; code: number | null; answer: string; retryAfterMs?: number }
  /** Trying again would get the same answer: a refused target, a 4xx, a redirect, bad credentials. */
  | { outcome: "failed"; code: number | null; answer: string };
