import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeBaselineRtt,
  DEFAULT_THRESHOLDS,
  resolveThresholds,
  staleAfterMs,
  THRESHOLD_KEYS,
  THRESHOLD_SPECS,
  thresholdOverridesSchema,
  ThresholdsError,
} from "./thresholds";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ThresholdsError) return error.problems;
    throw error;
  }
  throw new Error("expected a ThresholdsError");
}

describe("resolveThresholds", () => {
  it("gives every tenant the documented defaults plus its own latency objective", () => {
    const t = resolveThresholds(35);
    expect(t).toMatchObject({
      latencyObjectiveMs: 35,
      sampleIntervalSeconds: 30,
      staleAfterIntervals: 3,
      baselineWarningRatio: 1.5,
      baselineCriticalRatio: 3,
      openAfterConsecutive: 3,
      resolveAfterClearMinutes: 10,
    });
    expect(staleAfterMs(t)).toBe(90_000);
    expect(Object.isFrozen(t)).toBe(true);
  });

  it("applies a tenant's overrides and keeps the defaults for the rest", () => {
    const t = resolveThresholds(20, { jitterWarningMs: 15, lossCriticalPct: 2.5 });
    expect(t.jitterWarningMs).toBe(15);
    expect(t.lossCriticalPct).toBe(2.5);
    expect(t.jitterCriticalMs).toBe(DEFAULT_THRESHOLDS.jitterCriticalMs);
  });

  it("treats a stored {} or null as no overrides", () => {
    expect(resolveThresholds(20, {})).toEqual(resolveThresholds(20, null));
  });

  it("refuses an unknown key by name, listing the known ones, so a typo is not silently ignored", () => {
    const [problem] = problemsOf(() => resolveThresholds(20, { jiterWarningMs: 15 }));
    expect(problem).toContain('Unknown threshold "jiterWarningMs"');
    expect(problem).toContain("jitterWarningMs");
  });

  it.each([
    [{ lossWarningPct: 100 }, "lossWarningPct must be at most 99 %."],
    [{ openAfterConsecutive: 0 }, "openAfterConsecutive must be at least 1 samples."],
    [{ openAfterConsecutive: 2.5 }, "openAfterConsecutive must be a whole number of samples."],
    [{ jitterWarningMs: "15" }, "jitterWarningMs must be a number (ms)."],
    [{ bumWarningPps: Number.POSITIVE_INFINITY }, "bumWarningPps must be a number (packets/s)."],
  ])("refuses %j with a message that says what to fix", (overrides, message) => {
    expect(problemsOf(() => resolveThresholds(20, overrides))).toContain(message);
  });

  it("refuses an override that crosses its partner default (warning above critical)", () => {
    expect(problemsOf(() => resolveThresholds(20, { jitterWarningMs: 50 }))).toEqual(["jitterWarningMs (50) must be below jitterCriticalMs (30)."]);
    // Raising both together is fine.
    expect(resolveThresholds(20, { jitterWarningMs: 50, jitterCriticalMs: 80 }).jitterWarningMs).toBe(50);
  });

  it("refuses damping the evaluation window cannot hold", () => {
    const problems = problemsOf(() => resolveThresholds(20, { sampleIntervalSeconds: 300, windowMinutes: 10 }));
    expect(problems).toContain("openAfterConsecutive (3) needs more samples than a 10-minute window holds at one per 300 s (2).");
    expect(problems).toContain("staleAfterIntervals × sampleIntervalSeconds (900 s) must fit in the 10-minute window.");
  });

  it.each([0, -5, Number.NaN, 60_001])("refuses a latency objective of %s", (objective) => {
    expect(problemsOf(() => resolveThresholds(objective))[0]).toMatch(/latency objective must be a number of milliseconds above 0/);
  });

  it.each([[[]], ["{}"], [42]])("refuses overrides that are not an object (%j)", (overrides) => {
    expect(problemsOf(() => resolveThresholds(20, overrides))[0]).toMatch(/Thresholds must be an object of named numbers/);
  });

  it("never hands the rules an inconsistent set: any in-bounds overrides either resolve with warning < critical everywhere or are refused", () => {
    const arbitraryValue = (key: (typeof THRESHOLD_KEYS)[number]) => {
      const spec = THRESHOLD_SPECS[key];
      return spec.integer ? fc.integer({ min: spec.min, max: spec.max }) : fc.double({ min: spec.min, max: spec.max, noNaN: true });
    };
    const overridesArb = fc.record(Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, arbitraryValue(k)])), { requiredKeys: [] });
    fc.assert(
      fc.property(overridesArb, (overrides) => {
        let t;
        try {
          t = resolveThresholds(20, overrides);
        } catch (error) {
          expect(error).toBeInstanceOf(ThresholdsError);
          return;
        }
        for (const [key, value] of Object.entries(overrides)) expect(t[key as keyof typeof t]).toBe(value);
        expect(t.jitterWarningMs).toBeLessThan(t.jitterCriticalMs);
        expect(t.lossWarningPct).toBeLessThan(t.lossCriticalPct);
        expect(t.bumWarningPps).toBeLessThan(t.bumCriticalPps);
        expect(t.learnedMacsWarning).toBeLessThan(t.learnedMacsCritical);
        expect(t.baselineWarningRatio).toBeLessThan(t.baselineCriticalRatio);
        expect(t.cutoverWarningDays).toBeLessThan(t.cutoverCriticalDays);
        expect(t.openAfterConsecutive * t.sampleIntervalSeconds).toBeLessThanOrEqual(t.windowMinutes * 60);
      }),
      { numRuns: 500 },
    );
  });

  it("the schema the tenant form uses gives field paths for each problem", () => {
    const result = thresholdOverridesSchema.safeParse({ lossWarningPct: 8 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["lossWarningPct"]);
  });
});

describe("computeBaselineRtt", () => {
  it("is the median of the hourly averages once a day of history exists", () => {
    const week = Array.from({ length: 168 }, (_, h) => 11 + (h % 5) * 0.5); // 11, 11.5 … 13 ms
    expect(computeBaselineRtt(week)).toBe(12);
  });

  it("is not dragged up by a bad afternoon, which is what it must detect", () => {
    const week = Array.from({ length: 168 }, () => 12);
    for (let h = 0; h < 20; h++) week[h] = 400;
    expect(computeBaselineRtt(week)).toBe(12);
  });

  it("has no baseline for a tunnel younger than a day, and ignores hours without an RTT", () => {
    expect(computeBaselineRtt(Array.from({ length: 23 }, () => 12))).toBeNull();
    expect(computeBaselineRtt([...Array.from({ length: 23 }, () => 12), null, Number.NaN, undefined])).toBeNull();
    expect(computeBaselineRtt([...Array.from({ length: 24 }, () => 12), null])).toBe(12);
  });
});
