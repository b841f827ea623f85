import { describe, expect, it } from "vitest";
import { jitterRule } from "./jitter";
import { around, healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

describe("jitter", () => {
  it("stays quiet on a healthy tunnel (about 1 ms of jitter)", () => {
    expect(jitterRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("warns from 10 ms and is critical from 30 ms, naming the side and the numbers", () => {
    const congested = series({ count: 30, jitter: (i, r) => (i < 24 ? around(r, 1, 0.5) : around(r, 14, 2)) });
    const [warning] = jitterRule(makeInput({ source: healthyBoth(30).source, avs: congested }));
    expect(warning).toMatchObject({ kind: "jitter", severity: "warning", dedupeKey: `jitter:${TUNNEL_ID}` });
    expect(warning!.message).toMatch(/^Jitter measured by the AVS edge bridge has been at or above 10 ms for 6 consecutive samples \(3 min\): 1\d(\.\d)? ms at the AVS edge bridge/);
    expect(warning!.details).toMatchObject({ warningMs: 10, criticalMs: 30, avs: { consecutive: 6, severity: "warning" } });

    const awful = series({ count: 10, jitter: (_, r) => around(r, 45, 5) });
    expect(jitterRule(makeInput({ source: awful }))[0]).toMatchObject({ severity: "critical" });
    expect(jitterRule(makeInput({ source: awful }))[0]!.message).toContain("at or above 30 ms");
  });

  it("is not raised by a single burst or by noise that crosses 10 ms now and then", () => {
    const burst = series({ count: 30, jitter: (i, r) => (i === 27 || i === 28 ? 25 : around(r, 2, 1)) });
    expect(jitterRule(makeInput({ source: burst }))).toEqual([]);
    const ragged = series({ count: 30, jitter: (i, r) => (i % 2 === 0 ? around(r, 11, 0.5) : around(r, 8, 1)) });
    expect(jitterRule(makeInput({ source: ragged, avs: ragged }))).toEqual([]);
  });

  it("follows a tenant's override (a voice tenant that wants 5 ms)", () => {
    const six = series({ count: 10, jitter: (_, r) => around(r, 6, 0.3) });
    expect(jitterRule(makeInput({ source: six }))).toEqual([]);
    expect(jitterRule(makeInput({ source: six, overrides: { jitterWarningMs: 5 } }))[0]?.severity).toBe("warning");
  });
});
