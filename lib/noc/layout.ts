/**
 * How the NOC wall divides its screen. The wall is designed at 1920×1080 and scales uniformly
 * with the viewport (a 3840×2160 screen gets everything twice as large), so the same number of
 * tiles fits at both and a tile reads the same from across the room. Every size the wall draws
 * comes from here, in CSS pixels, so what is tested is what is painted: no CSS measurement
 * feeds back into the arithmetic.
 *
 * Pure functions only; the wall component passes the window's size and the tunnel count.
 */

/** The wall's proportions at 1920×1080 (scale 1), in CSS pixels. */
export const WALL_DESIGN = {
  width: 1920,
  height: 1080,
  fontPx: 16,
  padding: 8,
  /** Title, fleet counts, page indicator and clock: the counts are read from across the room. */
  headerHeight: 112,
  /** The warning ticker along the bottom, its lines large enough to read at 5 m. */
  tickerHeight: 80,
  /** Between header, grid and ticker. */
  sectionGap: 8,
  /** Between tiles. */
  gap: 3,
  /**
   * The smallest tile still worth drawing: room for a status symbol, a short status word and
   * a few characters of the tunnel's name. 1,000 tiles fit above it at 1920×1080.
   */
  minTileWidth: 40,
  minTileHeight: 30,
  /** A few tunnels should not become slabs the size of the screen. */
  maxTileWidth: 400,
  maxTileHeight: 200,
  /** The tile shape aimed for (width ÷ height) when choosing the number of columns. */
  aspect: 1.6,
} as const;

/** Below this the wall would be unreadable anyway; above it nothing is gained. */
const MIN_SCALE = 0.5;
const MAX_SCALE = 4;

/**
 * What a tile has room for, judged at design scale.
 * - `tiny`: symbol, short status word, the start of the name.
 * - `compact`: adds the latest RTT and the sparkline.
 * - `full`: the full status word, how long the tunnel has been in it, a taller sparkline.
 */
export type TileDensity = "tiny" | "compact" | "full";
const COMPACT_AT = { width: 110, height: 56 };
const FULL_AT = { width: 180, height: 100 };

export type WallLayout = {
  scale: number;
  fontPx: number;
  padding: number;
  headerHeight: number;
  tickerHeight: number;
  sectionGap: number;
  /** The area the tile grid may use. */
  grid: { width: number; height: number };
  gap: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  /** Tiles on one page; the last page may hold fewer. */
  perPage: number;
  /** 1 when everything fits; more means the wall pages on a timer. */
  pages: number;
  density: TileDensity;
};

function assertSize(name: string, value: number) {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`The wall's ${name} must be a finite number of pixels, 0 or more; got ${String(value)}.`);
  }
}

type Grid = { columns: number; rows: number; tileWidth: number; tileHeight: number };

/**
 * The arrangement of `count` tiles in `width`×`height` with the largest tiles of the wanted
 * shape, or null when even the best one needs tiles below the minimum. A cell may be stretched
 * away from the ideal shape to fill the area; the score is the largest ideal-shaped tile that
 * fits in the cell, so a very long, flat cell does not win just by being wide.
 */
function bestGrid(
  count: number,
  width: number,
  height: number,
  gap: number,
  min: { width: number; height: number },
  max: { width: number; height: number },
  aspect: number,
): Grid | null {
  let best: (Grid & { score: number; empty: number }) | null = null;
  const maxColumns = Math.min(count, Math.floor((width + gap) / (min.width + gap)));
  for (let columns = 1; columns <= maxColumns; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - (columns - 1) * gap) / columns;
    const cellHeight = (height - (rows - 1) * gap) / rows;
    if (cellWidth < min.width || cellHeight < min.height) continue;
    const tileWidth = Math.floor(Math.min(cellWidth, max.width));
    const tileHeight = Math.floor(Math.min(cellHeight, max.height));
    const score = Math.min(tileWidth, tileHeight * aspect);
    const empty = columns * rows - count;
    if (!best || score > best.score || (score === best.score && empty < best.empty)) {
      best = { columns, rows, tileWidth, tileHeight, score, empty };
    }
  }
  return best && { columns: best.columns, rows: best.rows, tileWidth: best.tileWidth, tileHeight: best.tileHeight };
}

/**
 * The wall's layout for a viewport and a number of tunnels: the chrome's sizes, the grid's
 * columns, rows and tile size, and how many pages the tiles need. When the tiles would have to
 * shrink below the minimum, they are spread evenly over the fewest pages instead (1,500 tiles
 * where 1,200 fit make two pages of 750, not one of 1,200 and one of 300).
 */
export function computeWallLayout(input: { width: number; height: number; count: number }): WallLayout {
  assertSize("width", input.width);
  assertSize("height", input.height);
  if (!Number.isSafeInteger(input.count) || input.count < 0) {
    throw new RangeError(`The number of tiles must be a whole number, 0 or more; got ${String(input.count)}.`);
  }
  const d = WALL_DESIGN;
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(input.width / d.width, input.height / d.height)));
  const px = (design: number) => design * scale;
  const chrome = {
    scale,
    fontPx: px(d.fontPx),
    padding: px(d.padding),
    headerHeight: px(d.headerHeight),
    tickerHeight: px(d.tickerHeight),
    sectionGap: px(d.sectionGap),
    gap: px(d.gap),
  };
  const grid = {
    width: Math.max(0, input.width - 2 * chrome.padding),
    height: Math.max(0, input.height - 2 * chrome.padding - chrome.headerHeight - chrome.tickerHeight - 2 * chrome.sectionGap),
  };
  const base = { ...chrome, grid };
  if (input.count === 0) {
    return { ...base, columns: 0, rows: 0, tileWidth: 0, tileHeight: 0, perPage: 0, pages: 1, density: "full" };
  }

  const min = { width: px(d.minTileWidth), height: px(d.minTileHeight) };
  const max = { width: px(d.maxTileWidth), height: px(d.maxTileHeight) };
  const fitsColumns = Math.floor((grid.width + chrome.gap) / (min.width + chrome.gap));
  const fitsRows = Math.floor((grid.height + chrome.gap) / (min.height + chrome.gap));
  const capacity = fitsColumns * fitsRows;

  if (capacity === 0) {
    // A window too small for one legible tile: one tile per page, as large as the area allows,
    // rather than nothing at all.
    return {
      ...base,
      columns: 1,
      rows: 1,
      tileWidth: Math.floor(grid.width),
      tileHeight: Math.floor(grid.height),
      perPage: 1,
      pages: input.count,
      density: "tiny",
    };
  }

  const pages = Math.ceil(input.count / capacity);
  const perPage = Math.ceil(input.count / pages);
  // perPage ≤ capacity, so at worst `fitsColumns` columns of minimum tiles answer.
  const chosen = bestGrid(perPage, grid.width, grid.height, chrome.gap, min, max, d.aspect) ?? {
    columns: fitsColumns,
    rows: Math.ceil(perPage / fitsColumns),
    tileWidth: Math.floor(min.width),
    tileHeight: Math.floor(min.height),
  };
  return { ...base, ...chosen, perPage, pages, density: densityOf(chosen.tileWidth / scale, chosen.tileHeight / scale) };
}

function densityOf(designWidth: number, designHeight: number): TileDensity {
  if (designWidth >= FULL_AT.width && designHeight >= FULL_AT.height) return "full";
  if (designWidth >= COMPACT_AT.width && designHeight >= COMPACT_AT.height) return "compact";
  return "tiny";
}

/** The tiles on page `page` (0-based; wraps, so a page index left over from a longer list is safe). */
export function pageSlice<T>(items: readonly T[], layout: Pick<WallLayout, "perPage" | "pages">, page: number): readonly T[] {
  if (layout.pages <= 1) return items;
  const index = ((page % layout.pages) + layout.pages) % layout.pages;
  return items.slice(index * layout.perPage, (index + 1) * layout.perPage);
}
