import { describe, expect, it } from "vitest";
import { bucketRates, counterIncrease, counterRates, currentRate, type CounterSample } from "./throughput";

const T0 = Date.parse("2026-12-05T10:00:00Z");
const S = 1000;
const TWO_32 = 2 ** 32;

/** A sample whose four counters move together: bytes as given, packets a thousandth of them. */
const sample = (seconds: number, bytes: number | bigint, rx: number | bigint = bytes): CounterSample => ({
  at: T0 + seconds * S,
  txBytes: bytes,
  rxBytes: rx,
  txPackets: typeof bytes === "bigint" ? bytes / 1000n : Math.floor(bytes / 1000),
  rxPackets: typeof rx === "bigint" ? rx / 1000n : Math.floor(rx / 1000),
});

describe("counterIncrease", () => {
  it("is the difference while the counter rises or stands still", () => {
    expect(counterIncrease(1_000, 31_000)).toBe(30_000n);
    expect(counterIncrease(5, 5)).toBe(0n);
  });

  it("takes a 32-bit wrap modulo 2^32", () => {
    expect(counterIncrease(TWO_32 - 1_000, 500)).toBe(1_500n);
    expect(counterIncrease(TWO_32 - 1, 0)).toBe(1n);
  });

  it("takes a 64-bit wrap modulo 2^64, exactly", () => {
    expect(counterIncrease(2n ** 64n - 10n, 90n)).toBe(100n);
  });

  it("calls any other decrease a restart", () => {
    expect(counterIncrease(2_000_000, 10)).toBe("restart"); // low 32-bit value went down: not a wrap
    expect(counterIncrease(TWO_32 - 1_000, TWO_32 / 2)).toBe("restart"); // came back to mid-range: not a wrap
    expect(counterIncrease(TWO_32 * 10, 100)).toBe("restart"); // a 64-bit counter far from its top
    expect(counterIncrease(-1, 5)).toBe("restart");
  });
});

describe("counterRates", () => {
  it("gives each interval's increase per second", () => {
    const rates = counterRates([sample(0, 0), sample(30, 3_000_000), sample(60, 9_000_000)], { maxGapMs: 120 * S });
    expect(rates).toHaveLength(2);
    expect(rates[0]).toEqual({ from: T0, to: T0 + 30 * S, run: 0, perSecond: { txBytes: 100_000, rxBytes: 100_000, txPackets: 100, rxPackets: 100 } });
    expect(rates[1]!.perSecond.txBytes).toBe(200_000);
  });

  it("carries a 32-bit wrap through as a normal rate, not a negative one", () => {
    // Bytes wrap; packets, a thousand times slower, do not.
    const rates = counterRates([{ ...sample(0, TWO_32 - 1_500_000), txPackets: 7_000, rxPackets: 7_000 }, { ...sample(30, 1_500_000), txPackets: 10_000, rxPackets: 10_000 }], { maxGapMs: 120 * S });
    expect(rates).toHaveLength(1);
    expect(rates[0]!.perSecond).toEqual({ txBytes: 100_000, rxBytes: 100_000, txPackets: 100, rxPackets: 100 });
    expect(rates[0]!.run).toBe(0);
  });

  it("carries a 64-bit wrap through as a normal rate", () => {
    const rates = counterRates([{ ...sample(0, 2n ** 64n - 1_500_000n), txPackets: 7_000, rxPackets: 7_000 }, { ...sample(30, 1_500_000n), txPackets: 10_000, rxPackets: 10_000 }], { maxGapMs: 120 * S });
    expect(rates.map((r) => r.perSecond.txBytes)).toEqual([100_000]);
  });

  it("starts a new series at an agent restart: no rate across it, never a negative one", () => {
    const samples = [sample(0, 50_000_000), sample(30, 53_000_000), sample(60, 1_000), sample(90, 3_001_000)];
    const rates = counterRates(samples, { maxGapMs: 120 * S });
    expect(rates.map((r) => [r.from, r.run, r.perSecond.txBytes])).toEqual([
      [T0, 0, 100_000],
      [T0 + 60 * S, 1, 100_000],
    ]);
    expect(rates.every((r) => Object.values(r.perSecond).every((v) => v === null || v >= 0))).toBe(true);
  });

  it("restarts all four counters when one of them went down", () => {
    const before = sample(0, 10_000_000);
    const after = { ...sample(30, 13_000_000), rxPackets: 3 }; // only rx packets reset
    expect(counterRates([before, after], { maxGapMs: 120 * S })).toEqual([]);
  });

  it("gives no rate across a gap longer than maxGapMs, and starts a new run after it", () => {
    const rates = counterRates([sample(0, 0), sample(30, 3_000_000), sample(930, 93_000_000), sample(960, 96_000_000)], { maxGapMs: 120 * S });
    expect(rates.map((r) => [r.from, r.run])).toEqual([
      [T0, 0],
      [T0 + 930 * S, 1],
    ]);
  });

  it("sorts a backlog delivered out of order and ignores a repeated instant", () => {
    const rates = counterRates([sample(60, 6_000_000), sample(0, 0), sample(30, 3_000_000), sample(30, 3_000_000)], { maxGapMs: 120 * S });
    expect(rates.map((r) => [r.from, r.to, r.perSecond.txBytes])).toEqual([
      [T0, T0 + 30 * S, 100_000],
      [T0 + 30 * S, T0 + 60 * S, 100_000],
    ]);
  });

  it("leaves a counter the agent did not send as null, and skips samples without any", () => {
    const partial = { at: T0 + 30 * S, txBytes: 3_000_000, rxBytes: null, txPackets: 3_000, rxPackets: null };
    const rates = counterRates([sample(0, 0), partial, { at: T0 + 60 * S, txBytes: null, rxBytes: null, txPackets: null, rxPackets: null }], { maxGapMs: 120 * S });
    expect(rates).toEqual([{ from: T0, to: T0 + 30 * S, run: 0, perSecond: { txBytes: 100_000, rxBytes: null, txPackets: 100, rxPackets: null } }]);
  });

  it("refuses a gap limit that is not a positive duration", () => {
    expect(() => counterRates([], { maxGapMs: 0 })).toThrow(/maxGapMs must be a positive/);
  });
});

describe("bucketRates", () => {
  it("averages what moved over each bucket's measured time, splitting intervals across buckets", () => {
    // 100 kB/s for 0–30 s, then 300 kB/s for 30–60 s; buckets of 20 s.
    const rates = counterRates([sample(0, 0), sample(30, 3_000_000), sample(60, 12_000_000)], { maxGapMs: 120 * S });
    const points = bucketRates(rates, { start: T0, end: T0 + 60 * S, bucketMs: 20 * S });
    expect(points.map((p) => p.txBytes)).toEqual([100_000, 200_000, 300_000]);
    expect(points.map((p) => p.at)).toEqual([T0, T0 + 20 * S, T0 + 40 * S]);
  });

  it("leaves a bucket nothing measured as null, so the chart shows a gap rather than zero", () => {
    const rates = counterRates([sample(0, 0), sample(30, 3_000_000), sample(60, 1_000), sample(90, 3_001_000)], { maxGapMs: 120 * S });
    const points = bucketRates(rates, { start: T0, end: T0 + 90 * S, bucketMs: 30 * S });
    expect(points.map((p) => p.txBytes)).toEqual([100_000, null, 100_000]);
  });

  it("counts only the part of an interval inside the frame", () => {
    const rates = counterRates([sample(0, 0), sample(60, 6_000_000)], { maxGapMs: 120 * S });
    const points = bucketRates(rates, { start: T0 + 30 * S, end: T0 + 60 * S, bucketMs: 30 * S });
    expect(points).toEqual([{ at: T0 + 30 * S, txBytes: 100_000, rxBytes: 100_000, txPackets: 100, rxPackets: 100 }]);
  });
});

describe("currentRate", () => {
  it("is the newest interval while it is fresh, and nothing once the agent fell silent", () => {
    const rates = counterRates([sample(0, 0), sample(30, 3_000_000)], { maxGapMs: 120 * S });
    expect(currentRate(rates, T0 + 30 * S)?.perSecond.txBytes).toBe(100_000);
    expect(currentRate(rates, T0 + 31 * S)).toBeNull();
    expect(currentRate([], T0)).toBeNull();
  });
});
