import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TUNNEL_STATUSES, type TunnelStatus } from "@/lib/domain/status";
import { groupTiles, planWall } from "./wall-plan";
import { placeTiles } from "./wall-placement";
import { planHeld, sliceForFirstPage, tilesOnPage, wallGroups, type WallViewport } from "./wall-slice";

const HD = { width: 1920, height: 1080 };
type Tile = { id: number; status: TunnelStatus };

/** A snapshot as the wall gets it: tiles in tenant order, plus the parts a slice must keep whole. */
function snapshotOf(statuses: readonly TunnelStatus[]) {
  const tiles: Tile[] = statuses.map((status, id) => ({ id, status }));
  const counts = Object.fromEntries(TUNNEL_STATUSES.map((s) => [s, statuses.filter((x) => x === s).length]));
  return { generatedAt: "2026-12-05T07:00:00.000Z", counts, warnings: [{ id: "w1" }], tiles };
}

/** What the wall draws from the whole snapshot on `page` (the behaviour a slice must reproduce for page 0). */
function drawnFromWhole(tiles: readonly Tile[], viewport: WallViewport, rotate: boolean, page: number) {
  const groups = groupTiles(tiles);
  const plan = planWall({ ...viewport, problems: groups.problems.length, healthy: groups.healthy.length, rotate, page });
  return { plan, problems: groups.problems.slice(plan.problems.start, plan.problems.end), healthy: groups.healthy.slice(plan.healthy.start, plan.healthy.end) };
}

/** Fleets from a handful to 12,000 tunnels, mostly healthy with runs of problems, as in life. */
const fleets = fc.oneof(
  fc.array(fc.constantFrom(...TUNNEL_STATUSES), { maxLength: 60 }),
  fc
    .record({ size: fc.integer({ min: 500, max: 12_000 }), problemEvery: fc.integer({ min: 2, max: 400 }), seed: fc.integer({ min: 0, max: 1000 }) })
    .map(({ size, problemEvery, seed }) => Array.from({ length: size }, (_, i) => ((i + seed) % problemEvery === 0 ? TUNNEL_STATUSES[(i + seed) % TUNNEL_STATUSES.length]! : "operational"))),
);
const viewports = fc.constantFrom<WallViewport>(HD, { width: 3840, height: 2160 }, { width: 1280, height: 720 }, { width: 800, height: 600 }, { width: 320, height: 240 });

describe("sliceForFirstPage", () => {
  it("carries exactly the tiles the wall's first page draws, and keeps the fleet's totals, counts and warnings", () => {
    fc.assert(
      fc.property(fleets, viewports, fc.boolean(), (statuses, viewport, rotate) => {
        const whole = snapshotOf(statuses);
        const sliced = sliceForFirstPage(whole, { viewport, rotate });
        const drawn = drawnFromWhole(whole.tiles, viewport, rotate, 0);
        expect(sliced.tiles).toEqual([...drawn.problems, ...drawn.healthy]);
        // Counts, warnings, times: the whole fleet's, untouched.
        expect(sliced.counts).toBe(whole.counts);
        expect(sliced.warnings).toBe(whole.warnings);
        expect(sliced.generatedAt).toBe(whole.generatedAt);
        const groups = wallGroups(sliced);
        expect(groups.totals).toEqual({ problems: groupTiles(whole.tiles).problems.length, healthy: groupTiles(whole.tiles).healthy.length });
        // Planned from the slice's totals, the wall gets the whole snapshot's plan (pages, summary
        // count) and draws the same tiles.
        const plan = planWall({ ...viewport, ...groups.totals, rotate, page: 0 });
        expect(plan).toEqual(drawn.plan);
        expect(tilesOnPage(groups, plan)).toEqual({ problems: drawn.problems, healthy: drawn.healthy });
      }),
      { numRuns: 150 },
    );
  });

  it("sends a 10,000-tunnel fleet's first page, not the fleet", () => {
    const statuses = Array.from({ length: 10_000 }, (_, i): TunnelStatus => (i % 50 === 7 ? "down" : i % 37 === 5 ? "degraded" : "operational"));
    const whole = snapshotOf(statuses);
    for (const rotate of [false, true]) {
      const sliced = sliceForFirstPage(whole, { viewport: HD, rotate });
      const drawn = drawnFromWhole(whole.tiles, HD, rotate, 0);
      expect(sliced.tiles.length).toBe(drawn.problems.length + drawn.healthy.length);
      expect(sliced.tiles.length).toBeLessThan(2_000);
      // Every problem is on the first page, as the wall puts them.
      expect(sliced.tiles.filter((t) => t.status !== "operational")).toHaveLength(statuses.filter((s) => s !== "operational").length);
      expect(sliced.slice.problems + sliced.slice.healthy).toBe(10_000);
    }
    expect(drawnFromWhole(whole.tiles, HD, true, 0).plan.pages).toBeGreaterThan(5);
  });

  it("holds only its page: another page of a rotating wall is refused, not drawn from the wrong tiles", () => {
    const whole = snapshotOf(Array.from({ length: 5_000 }, (_, i): TunnelStatus => (i % 100 === 0 ? "down" : "operational")));
    const groups = wallGroups(sliceForFirstPage(whole, { viewport: HD, rotate: true }));
    const second = planWall({ ...HD, ...groups.totals, rotate: true, page: 1 });
    expect(second.page).toBe(1);
    expect(() => tilesOnPage(groups, second)).toThrow(/plan draws healthy tiles \d+–\d+, but only 0–\d+ are held/);
    // The whole snapshot draws it.
    const full = wallGroups(whole);
    expect(tilesOnPage(full, second)).toEqual({ problems: drawnFromWhole(whole.tiles, HD, true, 1).problems, healthy: drawnFromWhole(whole.tiles, HD, true, 1).healthy });
  });

  it("a small fleet's slice is the whole fleet, in the wall's order", () => {
    const whole = snapshotOf(["operational", "down", "operational", "degraded", "operational"]);
    const sliced = sliceForFirstPage(whole, { viewport: HD, rotate: false });
    expect(sliced.tiles.map((t) => t.id)).toEqual([1, 3, 0, 2, 4]);
    expect(sliced.slice).toMatchObject({ problems: 2, healthy: 3, problemRange: { start: 0, end: 2 }, healthyRange: { start: 0, end: 3 }, page: 0 });
  });

  it("refuses to cut a slice again, and a slice whose tiles do not match what it says", () => {
    const sliced = sliceForFirstPage(snapshotOf(["operational", "down"]), { viewport: HD, rotate: false });
    expect(() => sliceForFirstPage(sliced, { viewport: HD, rotate: false })).toThrow(/already a slice/);
    expect(() => wallGroups({ ...sliced, tiles: sliced.tiles.slice(1) })).toThrow(/carries 1 problem and 1 healthy tiles but holds 1/);
  });
});

describe("planHeld", () => {
  const wall = fc.record({ viewport: viewports, rotate: fc.boolean(), page: fc.integer({ min: 0, max: 20 }) });

  it("draws a slice, while the page hydrates, exactly as the server cut it: whatever the window, rotation or page the wall has", () => {
    fc.assert(
      fc.property(fleets, viewports, fc.boolean(), wall, (statuses, cutFor, cutRotating, live) => {
        const whole = snapshotOf(statuses);
        const groups = wallGroups(sliceForFirstPage(whole, { viewport: cutFor, rotate: cutRotating }));
        const plan = planHeld(groups, { ...live, hydrated: false });
        // The server's render (the same call on the server, where nothing is hydrated) is the slice's own plan.
        expect(plan).toEqual(drawnFromWhole(whole.tiles, cutFor, cutRotating, 0).plan);
        // A cached slice cut for the other rotation (a wall reached again by client navigation
        // before the whole snapshot came) is drawn too: the merge planned it with the wall's
        // rotation and threw a RangeError in render, which the NOC saw as "cannot reach the console".
        expect(() => tilesOnPage(groups, plan)).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });

  it("once hydrated, draws the window's plan when the slice holds every tile of it, and never a tile it lacks", () => {
    fc.assert(
      fc.property(fleets, viewports, fc.boolean(), wall, (statuses, cutFor, cutRotating, live) => {
        const whole = snapshotOf(statuses);
        const groups = wallGroups(sliceForFirstPage(whole, { viewport: cutFor, rotate: cutRotating }));
        const plan = planHeld(groups, { ...live, hydrated: true });
        const drawn = tilesOnPage(groups, plan);
        const windowPlan = drawnFromWhole(whole.tiles, live.viewport, live.rotate, live.page);
        const heldIds = new Set([...groups.problems, ...groups.healthy].map((t) => t.id));
        const windowIds = [...windowPlan.problems, ...windowPlan.healthy].map((t) => t.id);
        if (windowIds.every((id) => heldIds.has(id))) {
          expect(plan).toEqual(windowPlan.plan);
          expect(drawn).toEqual({ problems: windowPlan.problems, healthy: windowPlan.healthy });
        } else {
          expect(plan).toEqual(drawnFromWhole(whole.tiles, cutFor, cutRotating, 0).plan);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a small fleet cut for a 4K screen (a stale cookie) is drawn inside a 1920x1080 window once hydrated", () => {
    const whole = snapshotOf(["down", "down", "degraded", "degraded", "degraded", "degraded", "degraded", "degraded", "operational", "operational", "operational"]);
    const groups = wallGroups(sliceForFirstPage(whole, { viewport: { width: 3840, height: 2160 }, rotate: false }));
    const plan = planHeld(groups, { viewport: HD, rotate: false, page: 0, hydrated: true });
    const placement = placeTiles(plan);
    const rects = [...placement.problems, ...placement.healthy];
    expect(rects).toHaveLength(11);
    for (const rect of rects) {
      expect(rect.x + rect.width).toBeLessThanOrEqual(plan.layout.grid.width);
      expect(rect.y + rect.height).toBeLessThanOrEqual(plan.layout.grid.height);
    }
    expect(plan.layout.grid.width).toBeLessThanOrEqual(HD.width);
    // Cut for 4K, the same tiles' grid is wider than the window: what the merge drew.
    expect(planHeld(groups, { viewport: HD, rotate: false, page: 0, hydrated: false }).layout.grid.width).toBeGreaterThan(HD.width);
  });

  it("a whole snapshot is planned for the window on the rotation's page", () => {
    const whole = snapshotOf(Array.from({ length: 5_000 }, (_, i): TunnelStatus => (i % 100 === 0 ? "down" : "operational")));
    const plan = planHeld(wallGroups(whole), { viewport: HD, rotate: true, page: 2, hydrated: false });
    expect(plan).toEqual(drawnFromWhole(whole.tiles, HD, true, 2).plan);
    expect(plan.page).toBe(2);
  });
});
