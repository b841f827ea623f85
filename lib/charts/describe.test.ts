import { describe, expect, it } from "vitest";
import { describeChart, formatBitRate, formatValue, latestValue, peakValue } from "./describe";

describe("describeChart", () => {
  it("says the range, each series' latest and highest value, and the objective", () => {
    const text = describeChart({
      title: "Round-trip time",
      range: "the last hour",
      unit: "ms",
      series: [
        { label: "Source gateway", points: [{ x: 1, y: 12 }, { x: 2, y: 40.04 }, { x: 3, y: 12.34 }, { x: 4, y: null }] },
        { label: "AVS edge bridge", points: [] },
      ],
      references: [{ label: "Objective", y: 20 }],
    });
    expect(text).toBe(
      "Round-trip time over the last hour. Source gateway: latest 12.3 ms, highest 40.0 ms. AVS edge bridge: no measurements. Objective: 20.0 ms.",
    );
  });

  it("treats a series of gaps as no measurements, not as zero", () => {
    const text = describeChart({ title: "Loss", range: "the last 7 days", unit: "%", series: [{ label: "Source gateway", points: [{ x: 1, y: null }] }] });
    expect(text).toBe("Loss over the last 7 days. Source gateway: no measurements.");
  });
});

describe("formatValue", () => {
  it.each([
    [0.123, "ms", "0.12 ms"],
    [9.999, "ms", "10.00 ms"],
    [12.345, "ms", "12.3 ms"],
    [480.6, "ms", "481 ms"],
    [0, "%", "0.00 %"],
  ])("%s %s reads %s", (value, unit, expected) => {
    expect(formatValue(value, unit)).toBe(expected);
  });
});

describe("latestValue and peakValue", () => {
  it("skip gaps and non-finite values", () => {
    const points = [{ x: 1, y: 5 }, { x: 2, y: Number.NaN }, { x: 3, y: 3 }, { x: 4, y: null }];
    expect(latestValue(points)).toBe(3);
    expect(peakValue(points)).toBe(5);
    expect(latestValue([])).toBeNull();
    expect(peakValue([{ x: 1, y: null }])).toBeNull();
  });
});

describe("formatBitRate", () => {
  it("picks the largest unit that keeps the number at 1 or more", () => {
    expect(formatBitRate(0)).toBe("0.00 bit/s");
    expect(formatBitRate(950)).toBe("950 bit/s");
    expect(formatBitRate(950_000)).toBe("950 kbit/s");
    expect(formatBitRate(1_000_000)).toBe("1.00 Mbit/s");
    expect(formatBitRate(1_204_000_000)).toBe("1.20 Gbit/s");
  });
});
