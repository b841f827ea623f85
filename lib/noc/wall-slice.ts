/**
 * The part of a fleet snapshot a wall's first page draws, so the page's HTML carries that page
 * and not the whole fleet (at 10,000 tunnels the snapshot is 4.6 MB; a 1920×1080 page draws about
 * 1,100 tiles). Everything else the wall shows is kept whole: the fleet's counts, the warning
 * counts and the ticker's warnings, the snapshot's times. The wall fetches the whole snapshot
 * after its first paint and plans its pages from that from then on.
 *
 * A slice is cut with the same plan the wall draws (lib/noc/wall-plan.ts `planWall`), for the
 * screen size the server was told (lib/noc/wall-viewport.ts) and the wall's rotation; until the
 * whole snapshot arrives the wall draws exactly that plan, so what was sent is what is drawn.
 *
 * Pure functions only.
 */
import type { TunnelStatus } from "@/lib/domain/status";
import { groupTiles, planWall, type WallPlan } from "./wall-plan";

export type WallViewport = { width: number; height: number };

export type WallSlice = {
  /** The screen and rotation the first page was planned for. */
  viewport: WallViewport;
  rotate: boolean;
  page: number;
  /** The whole fleet's problem and healthy tunnels, not only those carried. */
  problems: number;
  healthy: number;
  /** Which of the fleet's problems and healthy tunnels (in the wall's order) the tiles are: problems first, then healthy. */
  problemRange: { start: number; end: number };
  healthyRange: { start: number; end: number };
};

/** A snapshot, whole (`slice` absent) or cut to one page. */
export type MaybeSliced<T> = { tiles: readonly T[]; slice?: WallSlice };

/** The snapshot cut to what the first page of `planWall` draws on `viewport`; nothing else in it changes. */
export function sliceForFirstPage<S extends { tiles: readonly { status: TunnelStatus }[] }>(
  snapshot: S,
  options: { viewport: WallViewport; rotate: boolean },
): Omit<S, "tiles"> & { tiles: S["tiles"][number][]; slice: WallSlice } {
  if ("slice" in snapshot && snapshot.slice !== undefined) throw new Error("This snapshot is already a slice; cut the whole snapshot.");
  const groups = groupTiles(snapshot.tiles);
  const plan = planWall({ ...options.viewport, problems: groups.problems.length, healthy: groups.healthy.length, rotate: options.rotate, page: 0 });
  return {
    ...snapshot,
    tiles: [...groups.problems.slice(plan.problems.start, plan.problems.end), ...groups.healthy.slice(plan.healthy.start, plan.healthy.end)],
    slice: {
      viewport: { width: options.viewport.width, height: options.viewport.height },
      rotate: options.rotate,
      page: plan.page,
      problems: groups.problems.length,
      healthy: groups.healthy.length,
      problemRange: { ...plan.problems },
      healthyRange: { ...plan.healthy },
    },
  };
}

/** A snapshot's tiles in the wall's order, with the fleet's totals (which a slice carries, since it holds only some tiles). */
export type WallGroups<T> = {
  problems: T[];
  healthy: T[];
  totals: { problems: number; healthy: number };
  /** Where `problems` and `healthy` start among the fleet's: 0 for a whole snapshot. */
  offsets: { problems: number; healthy: number };
  slice: WallSlice | null;
};

export function wallGroups<T extends { status: TunnelStatus }>(snapshot: MaybeSliced<T>): WallGroups<T> {
  const { slice } = snapshot;
  if (!slice) {
    const { problems, healthy } = groupTiles(snapshot.tiles);
    return { problems, healthy, totals: { problems: problems.length, healthy: healthy.length }, offsets: { problems: 0, healthy: 0 }, slice: null };
  }
  const problemCount = slice.problemRange.end - slice.problemRange.start;
  const healthyCount = slice.healthyRange.end - slice.healthyRange.start;
  if (snapshot.tiles.length !== problemCount + healthyCount) {
    throw new RangeError(`A wall slice says it carries ${problemCount} problem and ${healthyCount} healthy tiles but holds ${snapshot.tiles.length}.`);
  }
  return {
    problems: snapshot.tiles.slice(0, problemCount),
    healthy: snapshot.tiles.slice(problemCount),
    totals: { problems: slice.problems, healthy: slice.healthy },
    offsets: { problems: slice.problemRange.start, healthy: slice.healthyRange.start },
    slice,
  };
}

type Range = { start: number; end: number };

/** Whether the tiles `range` names are all among `held`, which start at `offset` of the fleet's. */
const rangeHeld = (held: readonly unknown[], offset: number, range: Range) => range.end <= range.start || (range.start >= offset && range.end - offset <= held.length);

/** Whether every tile `plan` draws is held (always, for a whole snapshot). */
export function holdsPage<T>(groups: WallGroups<T>, plan: Pick<WallPlan, "problems" | "healthy">): boolean {
  return rangeHeld(groups.problems, groups.offsets.problems, plan.problems) && rangeHeld(groups.healthy, groups.offsets.healthy, plan.healthy);
}

/**
 * The plan the wall draws from what it holds. A whole snapshot: the window's, on the rotation's
 * page. A slice: the plan it was cut with (its screen, rotation and page) while the page hydrates,
 * so the browser's first render is the server's; once hydrated, the window's plan if every tile it
 * draws is held (a small fleet, a screen no larger than the slice's), so a slice cut for another
 * screen (a stale cookie) is not left drawn off the edge while the whole snapshot cannot be had;
 * else still the slice's own. Never a page the slice lacks, whatever the wall's options say.
 */
export function planHeld<T>(groups: WallGroups<T>, wall: { viewport: WallViewport; rotate: boolean; page: number; hydrated: boolean }): WallPlan {
  const windowPlan = () => planWall({ ...wall.viewport, ...groups.totals, rotate: wall.rotate, page: wall.page });
  const { slice } = groups;
  if (!slice) return windowPlan();
  if (wall.hydrated) {
    const plan = windowPlan();
    if (holdsPage(groups, plan)) return plan;
  }
  return planWall({ ...slice.viewport, ...groups.totals, rotate: slice.rotate, page: slice.page });
}

/**
 * The tiles a plan draws, from what is held. A slice holds only its own page: asking it for
 * another is a mistake in the caller (`planHeld` gives a plan the slice holds).
 */
export function tilesOnPage<T>(groups: WallGroups<T>, plan: Pick<WallPlan, "problems" | "healthy">): { problems: T[]; healthy: T[] } {
  const pick = (held: T[], offset: number, range: Range, what: string) => {
    const from = range.start - offset;
    const to = range.end - offset;
    if (!rangeHeld(held, offset, range)) {
      throw new RangeError(`The wall's plan draws ${what} tiles ${range.start}–${range.end}, but only ${offset}–${offset + held.length} are held.`);
    }
    return range.end > range.start ? held.slice(from, to) : [];
  };
  return {
    problems: pick(groups.problems, groups.offsets.problems, plan.problems, "problem"),
    healthy: pick(groups.healthy, groups.offsets.healthy, plan.healthy, "healthy"),
  };
}
