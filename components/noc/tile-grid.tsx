import { memo } from "react";
import type { TileDensity } from "@/lib/noc/layout";
import { fitFontPx, spanSize, tileFontPx, type WallPlan } from "@/lib/noc/wall-plan";
import type { NocTile } from "@/lib/queries/noc";
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
 * The page of tiles the wall is showing (lib/noc/wall-plan.ts): problem tiles first, each
 * spanning several cells, then healthy ones, then, when not all healthy tunnels fit, one tile
 * counting the rest. `dense` packing lets small tiles fill the cells beside the large ones.
 * Not a live region: a thousand tiles announcing themselves every refresh would drown the
 * counts. `isolate`: the tiles' layers stay inside the grid, under the stale banner.
 */
export const TileGrid = memo(function TileGrid({
  problems,
  healthy,
  plan,
  generatedAt,
}: {
  problems: readonly NocTile[];
  healthy: readonly NocTile[];
  plan: WallPlan;
  generatedAt: string;
}) {
  const { layout } = plan;
  const strokeWidth = Math.max(1, 1.5 * layout.scale);
  const problemSize = spanSize(plan, plan.problemSpan);
  const cellSize = { width: plan.cellWidth, height: plan.cellHeight };
  const problemDensity = densityOf(problemSize, layout.scale);
  const healthyDensity = densityOf(cellSize, layout.scale);
  const fontOf = (density: TileDensity, size: { width: number; height: number }) =>
    density === "tiny" ? 0.6 * layout.fontPx : tileFontPx(size, layout.fontPx);
  const problemFont = fontOf(problemDensity, problemSize);
  const healthyFont = fontOf(healthyDensity, cellSize);
  // Only full-size tiles say "for 12 min", so only they need the snapshot's time: the others
  // keep equal props across refreshes and are not re-rendered unless their tunnel changed.
  const since = (density: TileDensity) => (density === "full" ? generatedAt : undefined);
  return (
    <ul
      aria-label="Tunnels"
      className="isolate grid h-full content-start justify-center [grid-auto-flow:row_dense]"
      style={{
        gridTemplateColumns: `repeat(${plan.columns}, ${plan.cellWidth}px)`,
        gridAutoRows: `${plan.cellHeight}px`,
        gap: `${layout.gap}px`,
      }}
    >
      {problems.map((tile) => (
        <TunnelTile key={tile.tunnelId} tile={tile} density={problemDensity} strokeWidth={strokeWidth} generatedAt={since(problemDensity)} fontPx={problemFont} widthPx={problemSize.width} span={plan.problemSpan} />
      ))}
      {plan.healthySummarized > 0 && <HealthySummary count={plan.healthySummarized} shown={healthy.length} span={plan.problemSpan} fontPx={problemFont} widthPx={problemSize.width} />}
      {healthy.map((tile) => (
        <TunnelTile key={tile.tunnelId} tile={tile} density={healthyDensity} strokeWidth={strokeWidth} generatedAt={since(healthyDensity)} fontPx={healthyFont} widthPx={cellSize.width} />
      ))}
    </ul>
  );
});

/** The healthy tunnels there is no room to draw, as one count the size of a problem tile. */
function HealthySummary({ count, shown, span, fontPx, widthPx }: { count: number; shown: number; span: { columns: number; rows: number }; fontPx: number; widthPx: number }) {
  return (
    <li
      data-summary="healthy"
      className="flex min-w-0 flex-col justify-center overflow-hidden rounded-[0.25em] border-[0.15em] border-green-700 bg-green-50 px-[0.5em] leading-tight text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-100"
      style={{ fontSize: `${fontPx}px`, gridColumn: `span ${span.columns}`, gridRow: `span ${span.rows}` }}
    >
      <span className="truncate text-[1.6em] leading-none font-bold tabular-nums">
        <span aria-hidden="true">● </span>+{count}
      </span>
      <span className="truncate font-semibold" style={{ fontSize: `${fitFontPx("more operational", { widthPx: widthPx - fontPx, maxPx: fontPx, minPx: 0.7 * fontPx })}px` }}>
        more operational
      </span>
      <span className="sr-only">{shown > 0 ? `, besides the ${shown} drawn` : ""}</span>
    </li>
  );
}
