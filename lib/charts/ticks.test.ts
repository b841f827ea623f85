import { describe, expect, it } from "vitest";
import { formatInstant, formatTick, timeTicks } from "./ticks";

const at = (iso: string) => Date.parse(iso);

describe("timeTicks", () => {
  it("ticks an hour every 10 minutes on the clock, not from the odd second the range starts", () => {
    const ticks = timeTicks(at("2025-06-03T13:07:41Z"), at("2025-06-03T14:07:41Z"));
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["13:10", "13:20", "13:30", "13:40", "13:50", "14:00"]);
  });

  it("ticks a day at every 6 hours and a month at whole days, never more than asked", () => {
    const day = timeTicks(at("2025-06-02T14:00:00Z"), at("2025-06-03T14:00:00Z"));
    expect(day.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["18:00", "00:00", "06:00", "12:00"]);
    const month = timeTicks(at("2025-05-04T14:00:00Z"), at("2025-06-03T14:00:00Z"));
    expect(month.length).toBeLessThanOrEqual(6);
    expect(month.every((t) => t % 86_400_000 === 0)).toBe(true);
  });

  it("returns nothing for an empty or backwards range", () => {
    expect(timeTicks(10, 10)).toEqual([]);
    expect(timeTicks(20, 10)).toEqual([]);
    expect(timeTicks(Number.NaN, 10)).toEqual([]);
  });

  it("still bounds the count for a range longer than any step", () => {
    const ticks = timeTicks(0, 400 * 86_400_000);
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.length).toBeLessThanOrEqual(6);
  });
});

describe("formatTick and formatInstant", () => {
  it("label in UTC whatever the machine's time zone", () => {
    const t = at("2025-06-03T23:30:00Z");
    expect(formatTick(t, "time")).toBe("23:30");
    expect(formatTick(t, "date")).toBe("3 Jun");
    expect(formatInstant(t)).toBe("3 Jun, 23:30 UTC");
  });
});
