/**
 * What the wall shows before its first snapshot: the shape of a wall of tiles, quietly pulsing,
 * so a screen that is starting (or has never reached the console) is not a black rectangle.
 * No hooks: the route's loading.tsx renders it on the server too.
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
