import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./rate-limit";

describe("TokenBuckets", () => {
  it("allows the burst, then refuses with the seconds until the next token, and refills with time", () => {
    const buckets = new TokenBuckets(3, 1);
    const at = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take("a", at).ok)).toEqual([true, true, true]);
    expect(buckets.take("a", at)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(buckets.take("b", at).ok).toBe(true);
    expect(buckets.take("a", at + 1_000).ok).toBe(true);
  });

  it("takes nothing away when the clock is set back", () => {
    const buckets = new TokenBuckets(3, 1);
    const at = 1_000_000;
    buckets.take("a", at);
    // An hour back: the two tokens left are still there, not an hour's refill in debt.
    expect(buckets.take("a", at - 3_600_000).ok).toBe(true);
    expect(buckets.take("a", at - 3_600_000).ok).toBe(true);
    expect(buckets.take("a", at - 3_600_000).ok).toBe(false);
  });
});
