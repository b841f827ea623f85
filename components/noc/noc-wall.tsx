"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { NOC_REFRESH_MS, nocSnapshotQuery } from "@/lib/client/queries";
import { describeRefreshError } from "@/lib/noc/staleness";
import type { WallOptions } from "@/lib/noc/wall-options";
import { planWall } from "@/lib/noc/wall-plan";
import { planHeld, tilesOnPage, wallGroups } from "@/lib/noc/wall-slice";
import { FleetCounts } from "./fleet-counts";
import { StaleBanner } from "./stale-banner";
import { TileGrid } from "./tile-grid";
import { useCycle } from "./use-cycle";
import { useHydrated } from "./use-hydrated";
import { useViewport } from "./use-viewport";
import { useRememberViewport, useWholeSnapshotAfterPaint } from "./use-wall-snapshot";
import { WallClock } from "./wall-clock";
import { SkeletonTiles } from "./wall-skeleton";
import { WarningTicker } from "./warning-ticker";

/** How long each page stays up when the wall must page without being asked to (problems that do not fit). */
const PAGE_MS = 20_000;
/** Until the first snapshot says otherwise. */
const DEFAULT_SAMPLE_INTERVAL_MS = 30_000;

/**
 * The NOC wall: full screen, no controls, read from across the room. Tunnels with a problem come
 * first on tiles large enough to read; healthy ones follow as small tiles, or as one count when
 * hundreds do not fit, or page by page with `?rotate=` (lib/noc/wall-plan.ts). Data comes from
 * the snapshot the server prefetched, cut to the first page (lib/noc/wall-slice.ts), then the
 * whole snapshot once that page is painted, then a refresh every NOC_REFRESH_MS; a failed refresh
 * keeps the last good tiles and, once it matters, says so in the banner, above everything. The
 * server renders the frame and the first page's tiles, so they are painted before the scripts
 * run; tiles are placed by lib/noc/wall-placement.ts, their sparklines on one canvas (drawn in
 * the browser). Its theme is its own (`?theme=light`, dark by default), whatever the console's
 * theme on that browser.
 */
export function NocWall({ options }: { options: WallOptions }) {
  const query = useQuery(nocSnapshotQuery());
  const snapshot = query.data ?? null;
  const viewport = useViewport();
  const hydrated = useHydrated();
  const groups = useMemo(() => (snapshot ? wallGroups(snapshot) : null), [snapshot]);
  const slice = groups?.slice ?? null;
  useRememberViewport(viewport);
  useWholeSnapshotAfterPaint(slice !== null, query.refetch);
  const { width, height } = viewport;
  const rotate = options.rotateMs !== null;
  const problemCount = groups?.totals.problems ?? 0;
  const healthyCount = groups?.totals.healthy ?? 0;
  // The whole fleet, also while only the first page's tiles are held.
  const count = problemCount + healthyCount;
  const pages = useMemo(() => planWall({ width, height, problems: problemCount, healthy: healthyCount, rotate, page: 0 }).pages, [width, height, problemCount, healthyCount, rotate]);
  const page = useCycle(pages, options.rotateMs ?? PAGE_MS);
  // While only the slice is held, what it holds decides (lib/noc/wall-slice.ts `planHeld`): its own
  // plan while hydrating (the server's render, tile for tile), then this window's if it has every
  // tile that draws, so a slice cut for another screen is not left drawn past the window's edge.
  const plan = useMemo(
    () => (groups ? planHeld(groups, { viewport: { width, height }, rotate, page, hydrated }) : planWall({ width, height, problems: 0, healthy: 0, rotate, page })),
    [groups, width, height, rotate, page, hydrated],
  );
  const layout = plan.layout;
  const shown = useMemo(() => (groups ? tilesOnPage(groups, plan) : null), [groups, plan]);
  const warningTotal = snapshot ? snapshot.warningCounts.critical + snapshot.warningCounts.warning + snapshot.warningCounts.info : 0;

  return (
    <div
      data-wall-theme={options.theme}
      className={`${options.theme} fixed inset-0 flex cursor-none flex-col overflow-hidden bg-gray-100 text-gray-950 select-none dark:bg-black dark:text-gray-100`}
      style={{ fontSize: `${layout.fontPx}px`, padding: `${layout.padding}px`, gap: `${layout.sectionGap}px` }}
    >
      <header className="flex shrink-0 items-center justify-between gap-[1em]" style={{ height: `${layout.headerHeight}px` }}>
        <div className="min-w-0 shrink">
          <h1 className="text-[2em] leading-tight font-bold">Bridgehead NOC</h1>
          <p className="text-[1.25em] leading-tight text-gray-700 dark:text-gray-300">
            {snapshot ? `${count} tunnel${count === 1 ? "" : "s"}` : "Loading…"}
            {plan.pages > 1 ? ` · page ${plan.page + 1} of ${plan.pages}` : ""}
          </p>
        </div>
        <FleetCounts counts={snapshot?.counts ?? null} warningCounts={snapshot?.warningCounts ?? null} />
        <WallClock />
      </header>

      <main className="relative shrink-0 overflow-hidden" style={{ height: `${layout.grid.height}px` }}>
        {!snapshot ? (
          <SkeletonTiles />
        ) : count === 0 ? (
          <p className="grid h-full place-items-center text-[2em] text-gray-700 dark:text-gray-300">No tunnels in service yet.</p>
        ) : (
          <TileGrid problems={shown!.problems} healthy={shown!.healthy} plan={plan} generatedAt={snapshot.generatedAt} theme={options.theme} />
        )}
        <StaleBanner
          lastSuccessAt={query.dataUpdatedAt}
          refreshIntervalMs={NOC_REFRESH_MS}
          refreshError={query.isError ? describeRefreshError(query.error) : null}
          generatedAt={snapshot?.generatedAt ?? null}
          newestSampleAt={snapshot?.newestSampleAt ?? null}
          sampleIntervalMs={snapshot?.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS}
          tunnelCount={count}
          servedAgeMs={snapshot?.servedAgeMs ?? 0}
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
