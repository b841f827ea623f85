"use client";

import { useEffect } from "react";
import { formatWallViewport, WALL_VIEWPORT_COOKIE } from "@/lib/noc/wall-viewport";
import type { WallViewport } from "@/lib/noc/wall-slice";

/** A year: the screen a wall hangs on does not change often, and every resize writes it again. */
const VIEWPORT_COOKIE_SECONDS = 365 * 24 * 3600;

/**
 * Tells the server this window's size (a cookie on /noc only, lib/noc/wall-viewport.ts), so the
 * next load's HTML carries the first page of this screen rather than of the design size.
 */
export function useRememberViewport({ width, height }: WallViewport) {
  useEffect(() => {
    document.cookie = `${WALL_VIEWPORT_COOKIE}=${formatWallViewport({ width, height })}; path=/noc; max-age=${VIEWPORT_COOKIE_SECONDS}; samesite=lax; secure`;
  }, [width, height]);
}

/**
 * While the wall holds only its first page (the slice the HTML carried), asks for the whole
 * snapshot once that page is painted: the frame after the commit that drew it, so the request and
 * its parse never come before the first tiles. A failed request is retried as any refresh is; the
 * wall keeps its first page meanwhile. A request already under way (the query's own fetch on
 * mount, when the slice looks stale to this browser's clock) is joined, not aborted and sent again.
 */
export function useWholeSnapshotAfterPaint(sliced: boolean, refetch: (options: { cancelRefetch: boolean }) => Promise<unknown>) {
  useEffect(() => {
    if (!sliced) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A task queued from the next animation frame runs after that frame is painted.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => void refetch({ cancelRefetch: false }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [sliced, refetch]);
}
