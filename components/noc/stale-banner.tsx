"use client";

import { staleReasons, type StalenessInput } from "@/lib/noc/staleness";
import { useNow } from "./use-now";

/**
 * Across the top of the tiles when what they show may be old: refreshes failing, or agents
 * silent. The last good tiles stay visible under a veil, never an empty screen. It keeps its own
 * clock (every 5 s) so a wall that stops hearing from the console notices without any refresh
 * arriving, and without re-rendering the tiles.
 *
 * On top by construction: the veil and the banner are layers above the tile grid (z-20/z-30):
 * the grid is its own stacking context (`isolate` in TileGrid) and the sparklines' canvas over it
 * is z-10, so nothing of the tiles can rise past them.
 */
export function StaleBanner(props: Omit<StalenessInput, "now">) {
  const now = useNow(5_000);
  const reasons = now === null ? [] : staleReasons({ ...props, now });
  return (
    <>
      {reasons.length > 0 && <div aria-hidden="true" className="pointer-events-none absolute inset-0 z-20 bg-gray-100/70 dark:bg-black/60" />}
      <div aria-live="polite" className="absolute inset-x-0 top-0 z-30">
        {reasons.length > 0 && (
          <div
            data-testid="stale-banner"
            className="mx-auto mt-[0.5em] w-fit max-w-[95%] rounded-[0.3em] border-[0.15em] border-black bg-amber-300 px-[1em] py-[0.4em] text-black shadow-[0_0_0_0.3em_rgba(0,0,0,0.6)]"
          >
            {reasons.map((reason) => (
              <p key={reason.kind} className="text-[2.75em] leading-snug font-bold">
                <span aria-hidden="true">⚠ </span>
                {reason.message}
              </p>
            ))}
          </div>
        )}
      </div>
    </>
  );
}
