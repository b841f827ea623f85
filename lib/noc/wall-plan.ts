/**
 * What the NOC wall puts where, for a room reading it from 5 m: tunnels with a problem first,
 * worst first, on tiles large enough to read their names; healthy tunnels after them as small
 * tiles, or, when there are too many for the screen, as one count ("940 more operational"), or
 * page by page when the wall is set to rotate.
 *
 * The grid is one of small cells (WALL_DESIGN's minimum tile); a problem tile spans several
 * cells, a healthy one a single cell (`grid-auto-flow: dense` fills the gaps). Small fleets skip
 * all this: when every tile is large enough to read on its own, all tiles are the same size.
 *
 * Pure functions only; sizes in CSS pixels like computeWallLayout's.
 */
import { TUNNEL_STATUSES, type TunnelStatus } from "@/lib/domain/status";
import { computeWallLayout, type WallLayout } from "./layout";

/** The order the eye should meet tunnels in: broken, unknown, impaired, planned work, fine. */
export const WALL_STATUS_ORDER: readonly TunnelStatus[] = ["down", "stale", "degraded", "maintenance", "operational"];

/** Tunnels the room should look at: anything not operational. */
export const isProblem = (status: TunnelStatus) => status !== "operational";

/**
 * Tiles in the wall's order: by WALL_STATUS_ORDER, and within a status in the order given (the
 * snapshot's tenant/tunnel order, so a tile stays where the room has learnt to look for it).
 */
export function groupTiles<T extends { status: TunnelStatus }>(tiles: readonly T[]): { problems: T[]; healthy: T[] } {
  const byStatus = new Map<TunnelStatus, T[]>(WALL_STATUS_ORDER.map((status) => [status, []]));
  for (const tile of tiles) {
    const bucket = byStatus.get(tile.status);
    if (!bucket) throw new RangeError(`Unknown tunnel status "${String(tile.status)}"; expected one of ${TUNNEL_STATUSES.join(", ")}.`);
    bucket.push(tile);
  }
  return {
    problems: WALL_STATUS_ORDER.filter(isProblem).flatMap((status) => byStatus.get(status)!),
    healthy: byStatus.get("operational")!,
  };
}

/**
 * A uniform tile at least this large (design pixels) reads from across the room on its own;
 * below it the wall gives problems large tiles and healthy tunnels small ones.
 */
export const READABLE_TILE = { width: 200, height: 90 } as const;

/** Problem tile sizes tried, in cells (columns × rows), largest first. */
const PROBLEM_SPANS: readonly (readonly [number, number])[] = [
  [8, 4],
  [7, 3],
  [6, 3],
  [5, 3],
  [4, 2],
  [3, 2],
  [2, 1],
  [1, 1],
];

export type WallPlan = {
  layout: WallLayout;
  /** `uniform`: every tile one size. `grouped`: problem tiles span `problemSpan` cells, healthy ones one. */
  mode: "uniform" | "grouped";
  columns: number;
  rows: number;
  cellWidth: number;
  cellHeight: number;
  problemSpan: { columns: number; rows: number };
  /** Problem tiles on this page (all of them unless even the smallest do not fit). */
  problems: { start: number; end: number };
  /** Healthy tiles drawn on this page. */
  healthy: { start: number; end: number };
  /** Healthy tunnels not drawn on any page: one summary tile (spanning `problemSpan`) counts them. */
  healthySummarized: number;
  pages: number;
  /** The page shown, 0-based, wrapped into range. */
  page: number;
};

export type WallPlanInput = {
  width: number;
  height: number;
  problems: number;
  healthy: number;
  /** Page through healthy tunnels (the URL's `rotate`) instead of counting those that do not fit. */
  rotate: boolean;
  page: number;
};

/** How the wall arranges `problems` + `healthy` tiles on a `width`×`height` screen. */
export function planWall(input: WallPlanInput): WallPlan {
  for (const name of ["problems", "healthy", "page"] as const) {
    if (!Number.isSafeInteger(input[name]) || input[name] < 0) {
      throw new RangeError(`The wall's ${name} must be a whole number, 0 or more; got ${String(input[name])}.`);
    }
  }
  const total = input.problems + input.healthy;
  const uniform = computeWallLayout({ width: input.width, height: input.height, count: total });
  const readable = uniform.tileWidth >= READABLE_TILE.width * uniform.scale && uniform.tileHeight >= READABLE_TILE.height * uniform.scale;
  if (total === 0 || (uniform.pages === 1 && readable)) {
    return uniformPlan(uniform, input, total);
  }

  // One cell = the smallest tile, stretched to fill the width.
  const cells = computeWallLayout({ width: input.width, height: input.height, count: Number.MAX_SAFE_INTEGER });
  const { gap } = cells;
  const columns = Math.max(1, Math.floor((cells.grid.width + gap) / (cells.tileWidth + gap)));
  const rows = Math.max(1, Math.floor((cells.grid.height + gap) / (cells.tileHeight + gap)));
  const cellWidth = Math.floor((cells.grid.width - (columns - 1) * gap) / columns);
  const cellHeight = cells.tileHeight;
  const capacity = columns * rows;

  for (const [spanColumns, spanRows] of PROBLEM_SPANS) {
    if (spanColumns > columns || spanRows > rows) continue;
    const perBand = Math.floor(columns / spanColumns);
    const problemRows = Math.ceil(input.problems / perBand) * spanRows;
    const problemCells = input.problems * spanColumns * spanRows;
    if (problemRows > rows) continue;
    const free = capacity - problemCells;
    const base = { layout: cells, mode: "grouped" as const, columns, rows, cellWidth, cellHeight, problemSpan: { columns: spanColumns, rows: spanRows }, problems: { start: 0, end: input.problems } };
    if (input.healthy <= free) {
      return { ...base, healthy: { start: 0, end: input.healthy }, healthySummarized: 0, pages: 1, page: 0 };
    }
    if (input.rotate && free > 0) {
      const pages = Math.ceil(input.healthy / free);
      const page = input.page % pages;
      return { ...base, healthy: { start: page * free, end: Math.min(input.healthy, (page + 1) * free) }, healthySummarized: 0, pages, page };
    }
    // Not rotating: the healthy tunnels that do not fit are counted on one tile the size of a
    // problem tile, never drawn too small to read. Its cells come out of the healthy ones.
    const summaryCells = spanColumns * spanRows;
    if (free < summaryCells || (problemRows + spanRows > rows && !fitsBeside(input.problems, perBand))) continue;
    const shown = free - summaryCells;
    return { ...base, healthy: { start: 0, end: shown }, healthySummarized: input.healthy - shown, pages: 1, page: 0 };
  }

  // Even one-cell problem tiles do not all fit: page through them (always, rotation or not,
  // since a problem is never hidden), healthy tunnels as a count.
  const perPage = Math.max(1, capacity - 1);
  const pages = Math.ceil(input.problems / perPage);
  const page = input.page % pages;
  return {
    layout: cells,
    mode: "grouped",
    columns,
    rows,
    cellWidth,
    cellHeight,
    problemSpan: { columns: 1, rows: 1 },
    problems: { start: page * perPage, end: Math.min(input.problems, (page + 1) * perPage) },
    healthy: { start: 0, end: 0 },
    healthySummarized: input.healthy,
    pages,
    page,
  };
}

/** Whether the last band of problem tiles has a free slot for the summary tile beside them. */
function fitsBeside(problems: number, perBand: number): boolean {
  return problems % perBand !== 0;
}

function uniformPlan(layout: WallLayout, input: WallPlanInput, total: number): WallPlan {
  const page = layout.pages > 1 ? input.page % layout.pages : 0;
  // A uniform page holds the wall's order: problems, then healthy, sliced by page.
  const start = page * layout.perPage;
  const end = Math.min(total, start + (layout.pages > 1 ? layout.perPage : total));
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
  return {
    layout,
    mode: "uniform",
    columns: layout.columns,
    rows: layout.rows,
    cellWidth: layout.tileWidth,
    cellHeight: layout.tileHeight,
    problemSpan: { columns: 1, rows: 1 },
    problems: { start: clamp(start, 0, input.problems), end: clamp(end, 0, input.problems) },
    healthy: { start: clamp(start - input.problems, 0, input.healthy), end: clamp(end - input.problems, 0, input.healthy) },
    healthySummarized: 0,
    pages: layout.pages,
    page,
  };
}

/** The size in pixels of a tile spanning `span` cells of a plan. */
export function spanSize(plan: Pick<WallPlan, "cellWidth" | "cellHeight" | "layout">, span: { columns: number; rows: number }) {
  return {
    width: span.columns * plan.cellWidth + (span.columns - 1) * plan.layout.gap,
    height: span.rows * plan.cellHeight + (span.rows - 1) * plan.layout.gap,
  };
}

/**
 * The font size for a tile of this size: its name must fit about 14 characters across and three
 * lines down, and never grows past twice the wall's own font.
 */
export function tileFontPx(size: { width: number; height: number }, wallFontPx: number): number {
  return Math.max(6, Math.min(size.height / 4.2, size.width / 9, 2 * wallFontPx));
}

/**
 * The largest font (≤ maxPx) at which `text` fits `widthPx` on one line, not below minPx (then it
 * is cut with an ellipsis). Judged from the character count at `charEm` ems a character, a bold
 * sans serif's average: a whole tenant name a little smaller reads better than half of one.
 */
export function fitFontPx(text: string, options: { widthPx: number; maxPx: number; minPx: number; charEm?: number }): number {
  const chars = Math.max(1, [...text].length);
  const fitting = options.widthPx / (chars * (options.charEm ?? 0.64));
  return Math.max(options.minPx, Math.min(options.maxPx, fitting));
}
