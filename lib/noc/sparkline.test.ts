import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sparklinePath, traceSparkline } from "./sparkline";

/** The path's subpaths as lists of [x, y] points, to assert on geometry rather than on spelling. */
function subpaths(d: string): [number, number][][] {
  return d
    .split("M")
    .filter(Boolean)
    .map((sub) =>
      sub
        .replace(/h0$/, "")
        .split("L")
        .map((p) => p.split(" ").map(Number) as [number, number]),
    );
}

describe("sparklinePath", () => {
  it("spreads points across the width with the highest value at the top", () => {
    expect(subpaths(sparklinePath([10, 20, 15], 100, 50))).toEqual([
      [
        [0, 50],
        [50, 0],
        [100, 25],
      ],
    ]);
  });

  it("breaks the line at a missing minute instead of drawing across it", () => {
    const parts = subpaths(sparklinePath([10, 20, null, 30, 40], 40, 30));
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.map(([x]) => x))).toEqual([
      [0, 10],
      [30, 40],
    ]);
  });

  it("draws a lone point between gaps as a dot, not as nothing", () => {
    const d = sparklinePath([null, 5, null, 7, 9], 40, 20);
    expect(d).toMatch(/^M10 [\d.]+h0M30 /);
  });

  it("draws a flat series along the middle", () => {
    expect(subpaths(sparklinePath([12, 12, 12], 60, 24))).toEqual([
      [
        [0, 12],
        [30, 12],
        [60, 12],
      ],
    ]);
  });

  it("keeps a small wobble small when a minimum relative span is asked for", () => {
    const ys = subpaths(sparklinePath([10, 10.4, 10], 20, 100, { minRelativeSpan: 0.5 }))[0]!.map(([, y]) => y);
    // 0.4 ms against a span of 5.2 ms (half of 10.4): under a tenth of the height.
    expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(10);
    // Without the option the same series fills the height.
    const full = subpaths(sparklinePath([10, 10.4, 10], 20, 100))[0]!.map(([, y]) => y);
    expect(Math.max(...full) - Math.min(...full)).toBe(100);
  });

  it("keeps the stroke clear of the edges by the padding", () => {
    const ys = subpaths(sparklinePath([1, 9, 5], 30, 20, { padding: 2 }))[0]!.map(([, y]) => y);
    expect(Math.min(...ys)).toBe(2);
    expect(Math.max(...ys)).toBe(18);
  });

  it("centres a single value", () => {
    expect(sparklinePath([3], 40, 10)).toBe("M20 5h0");
  });

  it("returns an empty path for no data, all gaps or only non-finite values", () => {
    expect(sparklinePath([], 40, 10)).toBe("");
    expect(sparklinePath([null, null], 40, 10)).toBe("");
    expect(sparklinePath([Number.NaN, Number.POSITIVE_INFINITY], 40, 10)).toBe("");
  });

  it.each([
    [0, 10, /width must be a finite number above 0/],
    [40, -1, /height must be a finite number above 0/],
    [Number.NaN, 10, /width must be a finite number above 0; got NaN/],
  ])("refuses a %s×%s box with a message naming the dimension", (width, height, message) => {
    expect(() => sparklinePath([1, 2], width, height)).toThrow(message);
  });

  it("keeps every point inside the box, whatever the values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { nil: null }), { maxLength: 120 }),
        fc.double({ min: 1, max: 2000, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        (values, width, height) => {
          const d = sparklinePath(values, width, height, { padding: 1 });
          expect(d).not.toMatch(/NaN|Infinity/);
          for (const [x, y] of subpaths(d).flat()) {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(Math.round(width * 10) / 10);
            expect(y).toBeGreaterThanOrEqual(0);
            expect(y).toBeLessThanOrEqual(Math.round(height * 10) / 10);
          }
          const drawn = values.filter((v) => v !== null).length;
          expect(subpaths(d).flat()).toHaveLength(drawn);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("traces into a box anywhere on a canvas: lines, breaks and dots where the values say", () => {
    const calls: string[] = [];
    const drawn = traceSparkline(
      [10, 20, null, 15, null],
      { x: 100, y: 50, width: 40, height: 20 },
      { moveTo: (x, y) => calls.push(`M ${x} ${y}`), lineTo: (x, y) => calls.push(`L ${x} ${y}`), dot: (x, y) => calls.push(`dot ${x} ${y}`) },
    );
    expect(drawn).toBe(true);
    // x: 100 + i × 10; y: 50 at the highest value (20), 70 at the lowest (10).
    expect(calls).toEqual(["M 100 70", "L 110 50", "dot 130 60"]);
    expect(traceSparkline([null], { x: 0, y: 0, width: 10, height: 10 }, { moveTo: () => {}, lineTo: () => {}, dot: () => {} })).toBe(false);
  });
});
