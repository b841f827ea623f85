import type { WallTheme } from "@/lib/noc/wall-options";

/**
 * What the wall shows before its first snapshot: the shape of a wall of tiles, quietly pulsing,
 * so a screen that is starting (or has never reached the console) is not a black rectangle.
 * No hooks: the page's loading frame renders it on the server too.
 */
export function SkeletonTiles({ count = 96 }: { count?: number }) {
  return (
    <div aria-hidden="true" className="grid h-full content-start gap-[0.2em] overflow-hidden [grid-template-columns:repeat(auto-fill,minmax(7em,1fr))]">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="h-[4em] animate-pulse rounded-[0.25em] bg-gray-300 dark:bg-gray-800 motion-reduce:animate-none" />
      ))}
    </div>
  );
}

/**
 * The wall's frame while the server reads the first snapshot (app/(noc)/noc/page.tsx streams the
 * wall after it): the title and the skeleton, in the wall's theme, sized like the wall at its
 * design scale. Nothing here runs in the browser.
 */
export function WallLoading({ theme }: { theme: WallTheme }) {
  return (
    <div
      data-wall-theme={theme}
      data-wall-loading=""
      className={`${theme} fixed inset-0 flex cursor-none flex-col overflow-hidden bg-gray-100 p-[0.5em] text-gray-950 select-none dark:bg-black dark:text-gray-100`}
      style={{ fontSize: "max(8px, min(0.8333vw, 1.4815vh))" }}
    >
      <header className="shrink-0 pb-[0.5em]">
        <h1 className="text-[2em] leading-tight font-bold">Bridgehead NOC</h1>
        <p role="status" className="text-[1.25em] leading-tight text-gray-700 dark:text-gray-300">
          Loading…
        </p>
      </header>
      <main className="min-h-0 flex-1">
        <SkeletonTiles />
      </main>
    </div>
  );
}
