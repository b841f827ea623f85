import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeTiles, type TileRect } from "./wall-placement";
import { planWall, spanSize } from "./wall-plan";

const HD = { width: 1920, height: 1080 };
const EPS = 1e-6;

const overlap = (a: TileRect, b: TileRect) => a.x < b.x + b.width - EPS && b.x < a.x + a.width - EPS && a.y < b.y + b.height - EPS && b.y < a.y + a.height - EPS;
const all = (p: ReturnType<typeof placeTiles>) => [...p.problems, ...(p.summary ? [p.summary] : []), ...p.healthy];

describe("placeTiles", () => {
  it("lays a small fleet out row by row on equal tiles, the columns centred", () => {
    const plan = planWall({ ...HD, problems: 1, healthy: 4, rotate: false, page: 0 });
    expect(plan.mode).toBe("uniform");
    const placed = placeTiles(plan);
    const rects = all(placed);
    expect(rects).toHaveLength(5);
    const { gap, grid } = plan.layout;
    const tracks = plan.columns * plan.cellWidth + (plan.columns - 1) * gap;
    expect(rects[0]).toEqual({ x: (grid.width - tracks) / 2, y: 0, width: plan.cellWidth, height: plan.cellHeight });
    // Reading order: along a row, then the next row.
    for (let i = 1; i < rects.length; i++) {
      const [a, b] = [rects[i - 1]!, rects[i]!];
      expect(b.y > a.y || (b.y === a.y && b.x > a.x)).toBe(true);
    }
  });

  it("puts problems first on tiles of the plan's span, the count beside them and healthy tiles in the cells left", () => {
    const plan = planWall({ ...HD, problems: 50, healthy: 950, rotate: false, page: 0 });
    expect(plan.mode).toBe("grouped");
    const placed = placeTiles(plan);
    const size = spanSize(plan, plan.problemSpan);
    expect(placed.problems).toHaveLength(50);
    for (const r of placed.problems) expect({ width: r.width, height: r.height }).toEqual(size);
    expect(placed.summary).not.toBeNull();
    expect(placed.healthy).toHaveLength(plan.healthy.end - plan.healthy.start);
    // The first problem at the top left of the grid's columns; every tile inside the grid area.
    expect(placed.problems[0]!.y).toBe(0);
    for (const r of all(placed)) {
      expect(r.x).toBeGreaterThanOrEqual(-EPS);
      expect(r.x + r.width).toBeLessThanOrEqual(plan.layout.grid.width + EPS);
      expect(r.y + r.height).toBeLessThanOrEqual(plan.layout.grid.height + EPS);
    }
    // A healthy tile fills a cell beside the problems' bands before any row below them.
    const lastProblemBottom = Math.max(...placed.problems.map((r) => r.y + r.height));
    const beside = placed.healthy.filter((r) => r.y < lastProblemBottom);
    const below = placed.healthy.filter((r) => r.y >= lastProblemBottom);
    expect(beside.length).toBeGreaterThan(0);
    expect(placed.healthy.indexOf(beside.at(-1)!)).toBeLessThan(placed.healthy.indexOf(below[0]!));
  });

  it("places no tile over another and none outside the grid, for any fleet and screen", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 640, max: 3840 }),
        fc.integer({ min: 360, max: 2160 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 20 }),
        (width, height, problems, healthy, rotate, page) => {
          const plan = planWall({ width, height, problems, healthy, rotate, page });
          const placed = placeTiles(plan);
          const rects = all(placed);
          expect(placed.problems).toHaveLength(plan.problems.end - plan.problems.start);
          expect(placed.healthy).toHaveLength(plan.healthy.end - plan.healthy.start);
          // Sorted by x, each tile is compared only with those that start before its right edge.
          // (Plain checks, one expect at the end: a thousand expects a run would be most of the time.)
          const overlaps: string[] = [];
          const byX = [...rects].sort((a, b) => a.x - b.x);
          for (let i = 0; i < byX.length; i++) {
            for (let j = i + 1; j < byX.length && byX[j]!.x < byX[i]!.x + byX[i]!.width; j++) {
              if (overlap(byX[i]!, byX[j]!)) overlaps.push(JSON.stringify([byX[i], byX[j]]));
            }
          }
          expect(overlaps).toEqual([]);
          // The plan sized every page to fit; a window too small for one legible tile is the exception it already pages.
          const fits = plan.layout.grid.height >= plan.cellHeight;
          // Across, always inside: the columns are centred, so columns wider than the area would start left of it.
          const outside = rects.filter((r) => r.y < 0 || r.x < -EPS || r.x + r.width > plan.layout.grid.width + EPS || (fits && r.y + r.height > plan.layout.grid.height + EPS));
          expect(outside).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
