"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { NOC_REFRESH_MS, nocSnapshotQuery } from "@/lib/client/queries";
import { computeWallLayout, pageSlice } from "@/lib/noc/layout";
import { describeRefreshError } from "@/lib/noc/staleness";
import { FleetCounts } from "./fleet-counts";
import { StaleBanner } from "./stale-banner";
import { TileGrid } from "./tile-grid";
import { useCycle } from "./use-cycle";
import { useHydrated } from "./use-hydrated";
import { useViewport } from "./use-viewport";
import { WallClock } from "./wall-clock";
import { SkeletonTiles } from "./wall-skeleton";
import { WarningTicker } from "./warning-ticker";

/** How long each page of tiles stays up when the fleet needs more than one. */
const PAGE_MS = 20_000;
/** Until the first snapshot says otherwise. */
const DEFAULT_SAMPLE_INTERVAL_MS = 30_000;

/**
 * The NOC wall: full screen, no controls, sized from the window by `computeWallLayout` so up to
 * ~1,200 tiles fit at 1920×1080 or 3840×2160 and more page on a timer. Data comes from the
 * snapshot the server prefetched, then refreshes every NOC_REFRESH_MS; a failed refresh keeps
 * the last good tiles and, once it matters, says so in the banner. The server renders the frame
 * (title, counts, clock, ticker); the tiles are rendered in the browser from the same snapshot.
 */
export function NocWall() {
  const query = useQuery(nocSnapshotQuery());
  const snapshot = query.data ?? null;
  const hydrated = useHydrated();
  const viewport = useViewport();
  const count = snapshot?.tiles.length ?? 0;
  const layout = useMemo(() => computeWallLayout({ width: viewport.width, height: viewport.height, count }), [viewport, count]);
  const page = useCycle(layout.pages, PAGE_MS);
  const tiles = useMemo(() => (snapshot ? pageSlice(snapshot.tiles, layout, page) : []), [snapshot, layout, page]);
  const warningTotal = snapshot ? snapshot.warningCounts.critical + snapshot.warningCounts.warning + snapshot.warningCounts.info : 0;

  return (
    <div
      className="fixed inset-0 flex cursor-none flex-col overflow-hidden bg-black text-slate-100 [color-scheme:dark] select-none"
      style={{ fontSize: `${layout.fontPx}px`, padding: `${layout.padding}px`, gap: `${layout.sectionGap}px` }}
    >
      <header className="flex shrink-0 items-center justify-between gap-[1em]" style={{ height: `${layout.headerHeight}px` }}>
        <div className="min-w-0 shrink-0">
          <h1 className="text-[1.5em] leading-tight font-bold">Bridgehead NOC</h1>
          <p className="text-[0.8em] text-slate-300">
            {snapshot ? `${count} tunnel${count === 1 ? "" : "s"}` : "Loading…"}
            {layout.pages > 1 ? ` · Page ${page + 1} of ${layout.pages}` : ""}
          </p>
        </div>
        <FleetCounts counts={snapshot?.counts ?? null} warningCounts={snapshot?.warningCounts ?? null} />
        <WallClock />
      </header>

      <main className="relative shrink-0 overflow-hidden" style={{ height: `${layout.grid.height}px` }}>
        {!snapshot ? (
          <SkeletonTiles />
        ) : count === 0 ? (
          <p className="grid h-full place-items-center text-[2em] text-slate-300">No tunnels in service yet.</p>
        ) : hydrated ? (
          <TileGrid tiles={tiles} layout={layout} generatedAt={snapshot.generatedAt} />
        ) : (
          // The tiles are drawn in the browser from the snapshot the page carries: rendering a
          // thousand of them on the server too sent every tile twice (1.8 MB of HTML at 1,000).
          <SkeletonTiles />
        )}
        <StaleBanner
          lastSuccessAt={query.dataUpdatedAt}
          refreshIntervalMs={NOC_REFRESH_MS}
          refreshError={query.isError ? describeRefreshError(query.error) : null}
          generatedAt={snapshot?.generatedAt ?? null}
          newestSampleAt={snapshot?.newestSampleAt ?? null}
          sampleIntervalMs={snapshot?.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS}
          tunnelCount={count}
        />
      </main>

      <footer className="shrink-0" style={{ height: `${layout.tickerHeight}px` }}>
        <WarningTicker
          warnings={snapshot?.warnings ?? null}
          total={warningTotal}
          generatedAt={snapshot?.generatedAt ?? null}
          width={layout.grid.width}
          fontPx={layout.fontPx}
        />
      </footer>
    </div>
  );
}
