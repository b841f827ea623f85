import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latencyBaselineRule, latencyObjectiveRule } from "./latency";
import { around, healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

/** 20 healthy samples, then a creep from 12 ms to `to` over 10 samples, then `hold` samples there. */
function creep(to: number, hold: number, seed = 3) {
  return series({
    count: 30 + hold,
    seed,
    rtt: (i, r) => (i < 20 ? around(r, 12, 1.5) : i < 30 ? 12 + ((to - 12) * (i - 19)) / 10 + around(r, 0, 0.5) : around(r, to, 1)),
  });
}

describe("latency over the tenant's objective", () => {
  it("stays quiet on a healthy 12 ms tunnel with a 20 ms objective", () => {
    expect(latencyObjectiveRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("warns when RTT sits above the objective, with the numbers and what to check", () => {
    const high = series({ count: 30, rtt: (i, r) => (i < 25 ? around(r, 12, 1) : around(r, 26, 1)) });
    const [c, ...rest] = latencyObjectiveRule(makeInput({ source: high, avs: healthyBoth(30).avs }));
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ kind: "latency-objective", severity: "warning", dedupeKey: `latency-objective:${TUNNEL_ID}`, tunnelId: TUNNEL_ID });
    expect(c!.message).toMatch(/^Round-trip time measured by the source gateway has been above the tenant's 20 ms objective for 5 consecutive samples \(2\.5 min\): 2\d(\.\d)? ms at the source gateway/);
    expect(c!.message).toContain("Check the underlay");
    expect(c!.details).toMatchObject({ objectiveMs: 20, criticalAboveMs: 40, source: { consecutive: 5 } });
    expect(c!.details).not.toHaveProperty("avs");
  });

  it("is critical once a creep passes twice the objective", () => {
    const [c] = latencyObjectiveRule(makeInput({ source: creep(48, 5), avs: creep(47, 5, 4) }));
    expect(c?.severity).toBe("critical");
    expect(c!.message).toContain("the source gateway and the AVS edge bridge");
    expect(c!.message).toContain("more than 2× the objective");
  });

  it("needs openAfterConsecutive bad samples in a row: one or two spikes are not a condition", () => {
    const spikes = (n: number) => series({ count: 30, rtt: (i, r) => (i >= 30 - n ? 35 : around(r, 12, 1)) });
    expect(latencyObjectiveRule(makeInput({ source: spikes(1) }))).toEqual([]);
    expect(latencyObjectiveRule(makeInput({ source: spikes(2) }))).toEqual([]);
    expect(latencyObjectiveRule(makeInput({ source: spikes(3) }))).toHaveLength(1);
  });

  it("stays quiet on noise that keeps crossing the objective but never stays above it", () => {
    const ragged = series({ count: 30, rtt: (i, r) => (i % 3 === 0 ? around(r, 23, 2) : i % 3 === 1 ? around(r, 21, 0.5) : around(r, 18, 1)) });
    expect(ragged.filter((s) => s.rttMs! > 20).length).toBeGreaterThan(15);
    expect(latencyObjectiveRule(makeInput({ source: ragged, avs: ragged }))).toEqual([]);
  });

  it("skips samples without an RTT instead of counting them as good", () => {
    const gappy = series({ count: 10, rtt: (i) => (i === 8 ? null : i >= 6 ? 30 : 12) });
    expect(latencyObjectiveRule(makeInput({ source: gappy }))[0]?.details).toMatchObject({ source: { consecutive: 3 } });
  });

  it("judges each tenant by its own objective", () => {
    const samples = series({ count: 20, rtt: (_, r) => around(r, 26, 1) });
    expect(latencyObjectiveRule(makeInput({ source: samples, latencyObjectiveMs: 20 }))).toHaveLength(1);
    expect(latencyObjectiveRule(makeInput({ source: samples, latencyObjectiveMs: 30 }))).toEqual([]);
    // A stricter damping override also changes the outcome: three bad samples are no longer enough.
    const three = series({ count: 20, rtt: (i) => (i >= 17 ? 26 : 12) });
    expect(latencyObjectiveRule(makeInput({ source: three }))).toHaveLength(1);
    expect(latencyObjectiveRule(makeInput({ source: three, overrides: { openAfterConsecutive: 5 } }))).toEqual([]);
  });

  it("holds exactly when the newest openAfterConsecutive measured RTTs are all above the objective (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: null }), { maxLength: 30 }), (rtts) => {
        const samples = series({ count: rtts.length, rtt: (i) => rtts[i]! });
        const measured = rtts.filter((v): v is number => v !== null);
        const expected = measured.length >= 3 && measured.slice(-3).every((v) => v > 20);
        expect(latencyObjectiveRule(makeInput({ source: samples })).length).toBe(expected ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe("latency far above the tunnel's own baseline", () => {
  it("catches a tunnel that doubled its usual RTT while still inside the objective", () => {
    const doubled = series({ count: 20, rtt: (i, r) => (i < 15 ? around(r, 8, 0.5) : around(r, 17, 0.5)) });
    const input = makeInput({ source: doubled, baselineRttMs: 8 });
    expect(latencyObjectiveRule(input)).toEqual([]);
    const [c] = latencyBaselineRule(input);
    expect(c).toMatchObject({ kind: "latency-baseline", severity: "warning", dedupeKey: `latency-baseline:${TUNNEL_ID}` });
    expect(c!.message).toMatch(/^Round-trip time is 2(\.\d)?× this tunnel's usual 8 ms \(7-day median\) for 5 consecutive samples/);
    expect(c!.details).toMatchObject({ baselineRttMs: 8, warningAtMs: 13, criticalAtMs: 24 });
  });

  it("goes from warning to critical as a creep from 12 ms passes 1.5× and then 3×", () => {
    expect(latencyBaselineRule(makeInput({ source: creep(22, 5), baselineRttMs: 12 }))[0]?.severity).toBe("warning");
    expect(latencyBaselineRule(makeInput({ source: creep(40, 5), baselineRttMs: 12 }))[0]?.severity).toBe("critical");
  });

  it("does not call 1.8 ms 'far above' a 1 ms baseline: the excess must also be at least 5 ms", () => {
    const lan = series({ count: 20, rtt: (_, r) => around(r, 1.8, 0.1) });
    expect(latencyBaselineRule(makeInput({ source: lan, baselineRttMs: 1 }))).toEqual([]);
    expect(latencyBaselineRule(makeInput({ source: lan, baselineRttMs: 1, overrides: { baselineMinExcessMs: 0.5 } }))).toHaveLength(1);
  });

  it("has nothing to say without a baseline, and nothing on ordinary noise around it", () => {
    expect(latencyBaselineRule(makeInput({ source: creep(40, 5), baselineRttMs: null }))).toEqual([]);
    const noisy = series({ count: 30, rtt: (i, r) => (i % 4 === 0 ? around(r, 19, 0.5) : around(r, 12, 2)) });
    expect(latencyBaselineRule(makeInput({ source: noisy, baselineRttMs: 12 }))).toEqual([]);
  });
});
