import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeWallLayout, pageSlice, WALL_DESIGN, type WallLayout } from "./layout";

/** What the browser would paint: the grid's columns and rows of tiles with gaps between. */
function paintedSize(layout: WallLayout) {
  return {
    width: layout.columns * layout.tileWidth + Math.max(0, layout.columns - 1) * layout.gap,
    height: layout.rows * layout.tileHeight + Math.max(0, layout.rows - 1) * layout.gap,
  };
}

function expectFitsWithoutScrolling(layout: WallLayout, viewport: { width: number; height: number }) {
  const painted = paintedSize(layout);
  expect(painted.width).toBeLessThanOrEqual(layout.grid.width + 1e-6);
  expect(painted.height).toBeLessThanOrEqual(layout.grid.height + 1e-6);
  const chromeHeight = 2 * layout.padding + layout.headerHeight + layout.tickerHeight + 2 * layout.sectionGap;
  expect(chromeHeight + layout.grid.height).toBeLessThanOrEqual(viewport.height + 1e-6);
  expect(2 * layout.padding + layout.grid.width).toBeLessThanOrEqual(viewport.width + 1e-6);
}

function expectLegible(layout: WallLayout) {
  expect(layout.tileWidth).toBeGreaterThanOrEqual(Math.floor(WALL_DESIGN.minTileWidth * layout.scale));
  expect(layout.tileHeight).toBeGreaterThanOrEqual(Math.floor(WALL_DESIGN.minTileHeight * layout.scale));
}

describe("computeWallLayout", () => {
  it.each([
    [1920, 1080],
    [3840, 2160],
  ])("fits 1,000 tunnels on one page at %i×%i, every tile legible", (width, height) => {
    const layout = computeWallLayout({ width, height, count: 1000 });
    expect(layout.pages).toBe(1);
    expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(1000);
    expectFitsWithoutScrolling(layout, { width, height });
    expectLegible(layout);
  });

  it("gives a 4K wall the same arrangement as a 1080p one, twice as large", () => {
    const hd = computeWallLayout({ width: 1920, height: 1080, count: 640 });
    const uhd = computeWallLayout({ width: 3840, height: 2160, count: 640 });
    expect(uhd.scale).toBe(2 * hd.scale);
    expect([uhd.columns, uhd.rows, uhd.density]).toEqual([hd.columns, hd.rows, hd.density]);
    expect(uhd.tileWidth).toBeGreaterThanOrEqual(2 * hd.tileWidth - 1);
    expect(uhd.fontPx).toBe(2 * hd.fontPx);
  });

  it("pages through more than fits, spreading tiles evenly over the fewest pages", () => {
    const one = computeWallLayout({ width: 1920, height: 1080, count: 1000 });
    const capacity = Math.floor((one.grid.width + one.gap) / (WALL_DESIGN.minTileWidth + one.gap)) *
      Math.floor((one.grid.height + one.gap) / (WALL_DESIGN.minTileHeight + one.gap));
    const layout = computeWallLayout({ width: 1920, height: 1080, count: capacity + 1 });
    expect(layout.pages).toBe(2);
    expect(layout.perPage).toBe(Math.ceil((capacity + 1) / 2));
    expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(layout.perPage);
    expectFitsWithoutScrolling(layout, { width: 1920, height: 1080 });
    expectLegible(layout);

    const many = computeWallLayout({ width: 1920, height: 1080, count: 5000 });
    expect(many.pages).toBe(Math.ceil(5000 / capacity));
    expect(many.perPage * many.pages).toBeGreaterThanOrEqual(5000);
  });

  it("gives a handful of tunnels large tiles with room for everything, but not screen-sized slabs", () => {
    const layout = computeWallLayout({ width: 1920, height: 1080, count: 6 });
    expect(layout.pages).toBe(1);
    expect(layout.density).toBe("full");
    expect(layout.tileWidth).toBeLessThanOrEqual(WALL_DESIGN.maxTileWidth);
    expect(layout.tileHeight).toBeLessThanOrEqual(WALL_DESIGN.maxTileHeight);
  });

  it("shrinks what a tile shows as the count grows", () => {
    const densities = [10, 150, 1000].map((count) => computeWallLayout({ width: 1920, height: 1080, count }).density);
    expect(densities).toEqual(["full", "compact", "tiny"]);
  });

  it("draws nothing and needs no paging for an empty fleet", () => {
    expect(computeWallLayout({ width: 1920, height: 1080, count: 0 })).toMatchObject({ columns: 0, rows: 0, perPage: 0, pages: 1 });
  });

  it("shows one tile per page in a window too small for a legible tile, instead of failing", () => {
    const layout = computeWallLayout({ width: 16, height: 400, count: 3 });
    expect(layout).toMatchObject({ columns: 1, rows: 1, perPage: 1, pages: 3 });
  });

  it.each([
    [{ width: -1, height: 1080, count: 1 }, /width must be a finite number/],
    [{ width: 1920, height: Number.NaN, count: 1 }, /height must be a finite number/],
    [{ width: 1920, height: 1080, count: -2 }, /number of tiles must be a whole number/],
    [{ width: 1920, height: 1080, count: 1.5 }, /number of tiles must be a whole number/],
  ])("refuses %o with a message that names the bad value", (input, message) => {
    expect(() => computeWallLayout(input)).toThrow(message);
  });

  it("never paints past the viewport and always has a place for every tile, whatever the screen", () => {
    fc.assert(
      fc.property(fc.integer({ min: 640, max: 7680 }), fc.integer({ min: 360, max: 4320 }), fc.integer({ min: 1, max: 20_000 }), (width, height, count) => {
        const layout = computeWallLayout({ width, height, count });
        expectFitsWithoutScrolling(layout, { width, height });
        expectLegible(layout);
        expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(layout.perPage);
        expect(layout.perPage * layout.pages).toBeGreaterThanOrEqual(count);
        // Even spreading: no page is left nearly empty.
        expect(layout.perPage * (layout.pages - 1)).toBeLessThan(count);
      }),
      { numRuns: 300 },
    );
  });
});

describe("pageSlice", () => {
  const items = Array.from({ length: 7 }, (_, i) => i);
  it("returns each page in turn and wraps past the last", () => {
    const layout = { perPage: 3, pages: 3 };
    expect([0, 1, 2, 3].map((page) => pageSlice(items, layout, page))).toEqual([[0, 1, 2], [3, 4, 5], [6], [0, 1, 2]]);
  });
  it("returns everything when one page suffices", () => {
    expect(pageSlice(items, { perPage: 7, pages: 1 }, 4)).toBe(items);
  });
});
