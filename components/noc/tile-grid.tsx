import { memo } from "react";
import type { WallLayout } from "@/lib/noc/layout";
import type { NocTile } from "@/lib/queries/noc";
import { TunnelTile } from "./tunnel-tile";

/**
 * The page of tiles the wall is showing, in a grid sized by `computeWallLayout`. Not a live
 * region: a thousand tiles announcing themselves every refresh would drown the counts.
 */
export const TileGrid = memo(function TileGrid({
  tiles,
  layout,
  generatedAt,
}: {
  tiles: readonly NocTile[];
  layout: WallLayout;
  generatedAt: string;
}) {
  const strokeWidth = Math.max(1, 1.5 * layout.scale);
  // Only full-size tiles say "for 12 min", so only they need the snapshot's time: the others
  // keep equal props across refreshes and are not re-rendered unless their tunnel changed.
  const since = layout.density === "full" ? generatedAt : undefined;
  return (
    <ul
      aria-label="Tunnels"
      className="grid h-full content-start justify-center"
      style={{
        gridTemplateColumns: `repeat(${layout.columns}, ${layout.tileWidth}px)`,
        gridAutoRows: `${layout.tileHeight}px`,
        gap: `${layout.gap}px`,
      }}
    >
      {tiles.map((tile) => (
        <TunnelTile key={tile.tunnelId} tile={tile} density={layout.density} strokeWidth={strokeWidth} generatedAt={since} />
      ))}
    </ul>
  );
});
