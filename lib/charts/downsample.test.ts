import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakGaps, downsample, prepareSeries, type XY } from "./downsample";

const series = (values: (number | null)[], step = 1_000): XY[] => values.map((y, i) => ({ x: i * step, y }));

describe("downsample", () => {
  it("returns a short series unchanged", () => {
    const points = series([1, 2, null, 4]);
    expect(downsample(points, 500)).toEqual(points);
  });

  it("keeps a one-sample spike in a month of hourly points", () => {
    const values = Array.from({ length: 720 }, () => 12);
    values[333] = 480;
    const drawn = downsample(series(values), 500);
    expect(drawn.length).toBeLessThanOrEqual(500);
    expect(drawn).toContainEqual({ x: 333_000, y: 480 });
  });

  it("keeps a dip as well as a spike", () => {
    const values = Array.from({ length: 1_500 }, (_, i) => 20 + (i % 7));
    values[900] = 0.4;
    expect(downsample(series(values), 100)).toContainEqual({ x: 900_000, y: 0.4 });
  });

  it("keeps a gap so an outage still breaks the line", () => {
    const values: (number | null)[] = Array.from({ length: 1_440 }, () => 10);
    values[700] = null;
    const drawn = downsample(series(values), 300);
    expect(drawn).toContainEqual({ x: 700_000, y: null });
  });

  it("always keeps the first and the last point, so a live line ends at the newest reading", () => {
    const values = Array.from({ length: 1_000 }, (_, i) => 50 - (i % 3));
    values[999] = 49.5;
    const drawn = downsample(series(values), 50);
    expect(drawn[0]).toEqual({ x: 0, y: 50 });
    expect(drawn.at(-1)).toEqual({ x: 999_000, y: 49.5 });
  });

  it("turns NaN and Infinity into gaps rather than drawing them", () => {
    expect(downsample(series([1, Number.NaN, Number.POSITIVE_INFINITY, 4]), 10)).toEqual(series([1, null, null, 4]));
  });

  it("handles empty, single-point and all-gap series", () => {
    expect(downsample([], 10)).toEqual([]);
    expect(downsample(series([3]), 10)).toEqual(series([3]));
    const gaps = series(Array.from({ length: 100 }, () => null));
    const drawn = downsample(gaps, 10);
    expect(drawn.length).toBeLessThanOrEqual(10);
    expect(drawn.every((p) => p.y === null)).toBe(true);
  });

  it.each([4, 0, -1, 2.5, Number.NaN])("refuses maxPoints %s and says what works", (max) => {
    expect(() => downsample(series([1, 2, 3]), max)).toThrow(/maxPoints must be a whole number of at least 5/);
  });

  it("never exceeds the limit, keeps time order, and only returns points it was given", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), { maxLength: 3_000 }),
        fc.integer({ min: 5, max: 600 }),
        (values, max) => {
          const input = series(values);
          const drawn = downsample(input, max);
          expect(drawn.length).toBeLessThanOrEqual(max);
          for (let i = 1; i < drawn.length; i++) expect(drawn[i]!.x).toBeGreaterThan(drawn[i - 1]!.x);
          for (const point of drawn) expect(input[point.x / 1_000]).toEqual(point);
          // The extremes of the whole series survive whatever the limit.
          const numbers = values.filter((v): v is number => v !== null);
          if (numbers.length > 0 && input.length > max) {
            const ys = drawn.map((p) => p.y).filter((v): v is number => v !== null);
            expect(Math.max(...ys)).toBe(Math.max(...numbers));
            expect(Math.min(...ys)).toBe(Math.min(...numbers));
          }
        },
      ),
    );
  });
});

describe("breakGaps", () => {
  it("puts a gap marker between points further apart than allowed, and nowhere else", () => {
    const points: XY[] = [
      { x: 0, y: 1 },
      { x: 30_000, y: 2 },
      { x: 600_000, y: 3 },
      { x: 630_000, y: 4 },
    ];
    expect(breakGaps(points, 90_000)).toEqual([{ x: 0, y: 1 }, { x: 30_000, y: 2 }, { x: 315_000, y: null }, { x: 600_000, y: 3 }, { x: 630_000, y: 4 }]);
  });

  it("does not add a second marker next to an existing gap", () => {
    const points: XY[] = [
      { x: 0, y: 1 },
      { x: 500_000, y: null },
      { x: 1_000_000, y: 3 },
    ];
    expect(breakGaps(points, 90_000)).toEqual(points);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("refuses a gap of %s ms", (gap) => {
    expect(() => breakGaps([], gap)).toThrow(/maxGapMs must be a positive number/);
  });
});

describe("prepareSeries", () => {
  it("breaks gaps before thinning, so a long outage survives the thinning", () => {
    // A day of minutes with two silent hours in the middle, thinned hard.
    const points = Array.from({ length: 1_440 }, (_, i) => ({ x: i * 60_000, y: 10 })).filter((p) => p.x < 600 * 60_000 || p.x >= 720 * 60_000);
    const drawn = prepareSeries(points, { maxPoints: 20, maxGapMs: 90_000 });
    expect(drawn.length).toBeLessThanOrEqual(20);
    expect(drawn.some((p) => p.y === null && p.x > 599 * 60_000 && p.x < 720 * 60_000)).toBe(true);
  });
});
