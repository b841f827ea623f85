import { memo, useMemo } from "react";
import type { TileDensity } from "@/lib/noc/layout";
import type { WallTheme } from "@/lib/noc/wall-options";
import { placeTiles, type TileRect } from "@/lib/noc/wall-placement";
import { fitFontPx, spanSize, tileFontPx, type WallPlan } from "@/lib/noc/wall-plan";
import type { NocTile } from "@/lib/queries/noc";
import { SparklineCanvas, type SparklineItem } from "./sparkline-canvas";
import { TunnelTile } from "./tunnel-tile";

/** What a tile of this size has room for, at design scale (as computeWallLayout judges it). */
function densityOf(size: { width: number; height: number }, scale: number): TileDensity {
  const w = size.width / scale;
  const h = size.height / scale;
  if (w >= 180 && h >= 90) return "full";
  if (w >= 110 && h >= 56) return "compact";
  return "tiny";
}

/**
 * Where a tile's sparkline goes: on the smallest tiles it runs faintly behind the words across
 * the whole tile; on the others it fills the bottom 35 % inside the tile's 0.5 em side padding,
 * 0.3 em above its edge (em: the tile's font).
 */
function sparklineBox(rect: TileRect, density: TileDensity, fontPx: number) {
  if (density === "tiny") return rect;
  const height = 0.35 * rect.height;
  return { x: rect.x + 0.5 * fontPx, y: rect.y + rect.height - 0.3 * fontPx - height, width: rect.width - fontPx, height };
}

/**
 * The page of tiles the wall is showing (lib/noc/wall-plan.ts): problem tiles first, each
 * spanning several cells, then, when not all healthy tunnels fit, one tile counting the rest,
 * then healthy ones; each where lib/noc/wall-placement.ts puts it, and every sparkline on one
 * canvas above them (pointer-events off, under the stale banner's z-20 veil).
 * Not a live region: a thousand tiles announcing themselves every refresh would drown the
 * counts. `isolate`: the tiles' layers stay inside the list, under the stale banner.
 */
export const TileGrid = memo(function TileGrid({
  problems,
  healthy,
  plan,
  generatedAt,
  theme,
}: {
  problems: readonly NocTile[];
  healthy: readonly NocTile[];
  plan: WallPlan;
  generatedAt: string;
  /** Not drawn by the tiles (CSS does that), but the canvas must redraw in the new colours. */
  theme: WallTheme;
}) {
  const { layout } = plan;
  // One CSS pixel at design scale (the SVG lines were 1.5): software-rendered Chromium (a wall PC
  // without a GPU) rasterises a canvas of 1 px butt-capped lines about 15× faster than 1.5 px
  // round-joined ones (measured: 20–40 ms against 450–550 ms for 1,000 lines of 60 points).
  const strokeWidth = Math.max(1, layout.scale);
  const problemSize = spanSize(plan, plan.problemSpan);
  const cellSize = { width: plan.cellWidth, height: plan.cellHeight };
  const problemDensity = densityOf(problemSize, layout.scale);
  const healthyDensity = densityOf(cellSize, layout.scale);
  const fontOf = (density: TileDensity, size: { width: number; height: number }) =>
    density === "tiny" ? 0.6 * layout.fontPx : tileFontPx(size, layout.fontPx);
  const problemFont = fontOf(problemDensity, problemSize);
  const healthyFont = fontOf(healthyDensity, cellSize);
  const placement = useMemo(() => placeTiles(plan), [plan]);
  const sparklines = useMemo<SparklineItem[]>(
    () => [
      ...problems.map((tile, i) => ({ status: tile.status, values: tile.sparkline, box: sparklineBox(placement.problems[i]!, problemDensity, problemFont), faint: problemDensity === "tiny" })),
      ...healthy.map((tile, i) => ({ status: tile.status, values: tile.sparkline, box: sparklineBox(placement.healthy[i]!, healthyDensity, healthyFont), faint: healthyDensity === "tiny" })),
    ],
    [problems, healthy, placement, problemDensity, problemFont, healthyDensity, healthyFont],
  );
  // Only full-size tiles say "for 12 min", so only they need the snapshot's time: the others
  // keep equal props across refreshes and are not re-rendered unless their tunnel changed.
  const since = (density: TileDensity) => (density === "full" ? generatedAt : undefined);
  return (
    <>
      <ul aria-label="Tunnels" className="relative isolate h-full">
        {problems.map((tile, i) => (
          <TunnelTile key={tile.tunnelId} tile={tile} density={problemDensity} generatedAt={since(problemDensity)} fontPx={problemFont} rect={placement.problems[i]!} />
        ))}
        {placement.summary && <HealthySummary count={plan.healthySummarized} shown={healthy.length} rect={placement.summary} fontPx={problemFont} />}
        {healthy.map((tile, i) => (
          <TunnelTile key={tile.tunnelId} tile={tile} density={healthyDensity} generatedAt={since(healthyDensity)} fontPx={healthyFont} rect={placement.healthy[i]!} />
        ))}
      </ul>
      <SparklineCanvas items={sparklines} width={layout.grid.width} height={layout.grid.height} strokeWidth={strokeWidth} theme={theme} />
    </>
  );
});

/** The healthy tunnels there is no room to draw, as one count the size of a problem tile. */
function HealthySummary({ count, shown, rect, fontPx }: { count: number; shown: number; rect: TileRect; fontPx: number }) {
  return (
    <li
      data-summary="healthy"
      className="absolute flex min-w-0 flex-col justify-center overflow-hidden rounded-[0.25em] border-[0.15em] border-green-700 bg-green-50 px-[0.5em] leading-tight text-green-950 [contain:strict] dark:border-green-800 dark:bg-green-950 dark:text-green-100"
      style={{ left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px`, fontSize: `${fontPx}px` }}
    >
      <span className="truncate text-[1.6em] leading-none font-bold tabular-nums">
        <span aria-hidden="true">● </span>+{count}
      </span>
      <span className="truncate font-semibold" style={{ fontSize: `${fitFontPx("more operational", { widthPx: rect.width - fontPx, maxPx: fontPx, minPx: 0.7 * fontPx })}px` }}>
        more operational
      </span>
      <span className="sr-only">{shown > 0 ? `, besides the ${shown} drawn` : ""}</span>
    </li>
  );
}
