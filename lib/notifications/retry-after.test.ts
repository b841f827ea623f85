import { describe, expect, it } from "vitest";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import { backoffMs, parseRetryAfter } from "./retry-after";

describe("parseRetryAfter", () => {
  const now = new Date("2026-11-21T10:00:00Z");
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Sat, 21 Nov 2026 10:05:00 GMT", now)).toBe(300_000);
  });
  it("never waits less than now, nor more than the documented hour", () => {
    expect(parseRetryAfter("Sat, 21 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("86400", now)).toBe(DELIVERY_LIMITS.maxRetryAfterMs);
  });
  it("ignores what it cannot read", () => {
    for (const value of [undefined, null, "", "soon", "-5", "1.5"]) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("backoffMs", () => {
  it("doubles from 10 s and stops at 5 min", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });
});
