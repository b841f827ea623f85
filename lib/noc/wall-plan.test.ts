import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TUNNEL_STATUSES, type TunnelStatus } from "@/lib/domain/status";
import { fitFontPx, groupTiles, planWall, READABLE_TILE, spanSize, tileFontPx, WALL_STATUS_ORDER, type WallPlan } from "./wall-plan";

const HD = { width: 1920, height: 1080 };

/** Cells the plan's tiles cover on its page: problem tiles span, healthy tiles one cell, the summary tile a problem tile's span. */
function cellsUsed(plan: WallPlan): number {
  const span = plan.problemSpan.columns * plan.problemSpan.rows;
  return (plan.problems.end - plan.problems.start) * span + (plan.healthy.end - plan.healthy.start) + (plan.healthySummarized > 0 ? span : 0);
}

describe("groupTiles", () => {
  it("puts problems first, worst first, and keeps the given order within a status", () => {
    const tiles = [
      { id: "a", status: "operational" },
      { id: "b", status: "degraded" },
      { id: "c", status: "down" },
      { id: "d", status: "maintenance" },
      { id: "e", status: "stale" },
      { id: "f", status: "down" },
      { id: "g", status: "operational" },
      { id: "h", status: "degraded" },
    ] as { id: string; status: TunnelStatus }[];
    const { problems, healthy } = groupTiles(tiles);
    expect(problems.map((t) => t.id)).toEqual(["c", "f", "e", "b", "h", "d"]);
    expect(healthy.map((t) => t.id)).toEqual(["a", "g"]);
  });

  it("loses and invents no tile, for any mix", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TUNNEL_STATUSES), { maxLength: 300 }), (statuses) => {
        const tiles = statuses.map((status, i) => ({ i, status }));
        const { problems, healthy } = groupTiles(tiles);
        expect([...problems, ...healthy].map((t) => t.i).sort((a, b) => a - b)).toEqual(tiles.map((t) => t.i));
        const ranks = problems.map((t) => WALL_STATUS_ORDER.indexOf(t.status));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(healthy.every((t) => t.status === "operational")).toBe(true);
      }),
    );
  });

  it("refuses a status it does not know, naming it", () => {
    expect(() => groupTiles([{ status: "exploded" as TunnelStatus }])).toThrow(/Unknown tunnel status "exploded"/);
  });
});

describe("planWall", () => {
  it("gives a small fleet one size of tile, every one readable", () => {
    const plan = planWall({ ...HD, problems: 3, healthy: 8, rotate: false, page: 0 });
    expect(plan.mode).toBe("uniform");
    expect(plan.cellWidth).toBeGreaterThanOrEqual(READABLE_TILE.width);
    expect(plan.cellHeight).toBeGreaterThanOrEqual(READABLE_TILE.height);
    expect(plan.problems).toEqual({ start: 0, end: 3 });
    expect(plan.healthy).toEqual({ start: 0, end: 8 });
  });

  it("at 1,000 tunnels with 50 problems: readable problem tiles, the healthy ones that do not fit counted on one tile", () => {
    const plan = planWall({ ...HD, problems: 50, healthy: 950, rotate: false, page: 0 });
    expect(plan.mode).toBe("grouped");
    expect(plan.problems).toEqual({ start: 0, end: 50 });
    const problem = spanSize(plan, plan.problemSpan);
    // A tenant/tunnel name of ~14 characters at ≥ 20 px: legible at 5 m on a 55" 1080p screen.
    expect(problem.width).toBeGreaterThanOrEqual(READABLE_TILE.width);
    expect(tileFontPx(problem, plan.layout.fontPx)).toBeGreaterThanOrEqual(20);
    expect(plan.healthy.start).toBe(0);
    expect(plan.healthy.end + plan.healthySummarized).toBe(950);
    expect(plan.healthySummarized).toBeGreaterThan(0);
    expect(plan.pages).toBe(1);
    expect(cellsUsed(plan)).toBeLessThanOrEqual(plan.columns * plan.rows);
  });

  it("draws all 1,000 tunnels when they are all healthy (the benchmark's fleet), as small tiles", () => {
    const plan = planWall({ ...HD, problems: 0, healthy: 1000, rotate: false, page: 0 });
    expect(plan.healthy).toEqual({ start: 0, end: 1000 });
    expect(plan.healthySummarized).toBe(0);
    expect(plan.pages).toBe(1);
  });

  it("with rotation, pages through the healthy tunnels and keeps every problem on every page", () => {
    const input = { ...HD, problems: 50, healthy: 950, rotate: true };
    const first = planWall({ ...input, page: 0 });
    expect(first.pages).toBeGreaterThan(1);
    const seen: number[] = [];
    for (let page = 0; page < first.pages; page++) {
      const plan = planWall({ ...input, page });
      expect(plan.problems).toEqual({ start: 0, end: 50 });
      expect(plan.healthySummarized).toBe(0);
      expect(cellsUsed(plan)).toBeLessThanOrEqual(plan.columns * plan.rows);
      for (let i = plan.healthy.start; i < plan.healthy.end; i++) seen.push(i);
    }
    // Every healthy tunnel on exactly one page.
    expect(seen).toEqual(Array.from({ length: 950 }, (_, i) => i));
    // Past the last page it wraps.
    expect(planWall({ ...input, page: first.pages }).healthy).toEqual(first.healthy);
  });

  it("never hides a problem: more problems than cells page through them", () => {
    const input = { ...HD, problems: 3000, healthy: 10, rotate: false };
    const first = planWall({ ...input, page: 0 });
    const shown = new Set<number>();
    for (let page = 0; page < first.pages; page++) {
      const plan = planWall({ ...input, page });
      for (let i = plan.problems.start; i < plan.problems.end; i++) shown.add(i);
      expect(cellsUsed(plan)).toBeLessThanOrEqual(plan.columns * plan.rows);
    }
    expect(shown.size).toBe(3000);
  });

  it("fits every page on the screen whatever the mix and screen", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2500 }),
        fc.integer({ min: 0, max: 2500 }),
        fc.boolean(),
        fc.constantFrom([1920, 1080], [3840, 2160], [1366, 768], [2560, 1440]),
        fc.nat(20),
        (problems, healthy, rotate, [width, height], page) => {
          const plan = planWall({ width: width!, height: height!, problems, healthy, rotate, page });
          expect(cellsUsed(plan)).toBeLessThanOrEqual(plan.columns * plan.rows);
          expect(plan.columns * plan.cellWidth + (plan.columns - 1) * plan.layout.gap).toBeLessThanOrEqual(plan.layout.grid.width + 1e-6);
          expect(plan.rows * plan.cellHeight + (plan.rows - 1) * plan.layout.gap).toBeLessThanOrEqual(plan.layout.grid.height + 1e-6);
          // Nothing is lost: every tunnel is drawn on some page or counted.
          if (!rotate && plan.pages === 1) expect(plan.problems.end - plan.problems.start + plan.healthy.end - plan.healthy.start + plan.healthySummarized).toBe(problems + healthy);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses counts that are not whole numbers", () => {
    expect(() => planWall({ ...HD, problems: -1, healthy: 0, rotate: false, page: 0 })).toThrow(/problems must be a whole number/);
    expect(() => planWall({ ...HD, problems: 0, healthy: 1.5, rotate: false, page: 0 })).toThrow(/healthy must be a whole number/);
  });
});

describe("fitFontPx", () => {
  it("keeps the largest size when the text fits, and shrinks a long name to fit its line", () => {
    expect(fitFontPx("contoso", { widthPx: 200, maxPx: 26, minPx: 16 })).toBe(26);
    const size = fitFontPx("northwind-021", { widthPx: 190, maxPx: 26, minPx: 16 });
    expect(size).toBeLessThan(26);
    expect(13 * 0.64 * size).toBeLessThanOrEqual(190 + 1e-9);
  });

  it("never goes below the minimum (the rest is cut with an ellipsis)", () => {
    expect(fitFontPx("a-very-long-tenant-name-indeed/secondary", { widthPx: 190, maxPx: 26, minPx: 16 })).toBe(16);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(fitFontPx("▲▲▲▲", { widthPx: 64, maxPx: 100, minPx: 1, charEm: 1 })).toBe(16);
  });
});
