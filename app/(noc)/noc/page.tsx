import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { Suspense } from "react";
import { NocWall } from "@/components/noc/noc-wall";
import { WallLoading } from "@/components/noc/wall-skeleton";
import { requirePageAccess } from "@/lib/auth/page-guard";
import type { Database } from "@/lib/db/client";
import { nocSnapshotQuery } from "@/lib/client/queries";
import { parseWallOptions, type WallOptions } from "@/lib/noc/wall-options";
import { sliceForFirstPage, type WallViewport } from "@/lib/noc/wall-slice";
import { DESIGN_VIEWPORT, parseWallViewport, WALL_VIEWPORT_COOKIE } from "@/lib/noc/wall-viewport";
import { nocSnapshotKept, readNocSnapshot } from "@/lib/queries/noc-cache";

export const metadata: Metadata = { title: "NOC wall" };
export const dynamic = "force-dynamic";

/**
 * The wall's page: who may see it is settled before the first byte (a redirect to sign-in or a
 * 403 keep their status codes). With the snapshot kept, the page goes out whole; without, the
 * frame goes out at once, so the browser loads and compiles the wall's scripts while the server
 * reads the snapshot, and the first page follows in the same response (a Suspense boundary):
 * its tiles rendered, and the data they were drawn from.
 */
export default async function NocWallPage({ searchParams }: { searchParams: Promise<{ rotate?: string | string[]; theme?: string | string[] }> }) {
  const { db } = await requirePageAccess("fleet:read");
  const { options, problems } = parseWallOptions(await searchParams);
  // The screen has nobody to read an error: it comes up on the defaults, and the log says why.
  for (const problem of problems) console.warn(`[noc] wall link: ${problem}`);
  // The size the wall last reported (components/noc/use-wall-snapshot.ts); the design size before it has.
  const viewport = parseWallViewport((await cookies()).get(WALL_VIEWPORT_COOKIE)?.value) ?? DESIGN_VIEWPORT;
  const wall = <WallWithSnapshot db={db} options={options} viewport={viewport} />;
  // With a kept snapshot (a wall has been watching) nothing is read: the page goes out whole, its
  // tiles in the first paint. Behind a Suspense boundary they came no sooner than 300 ms after the
  // frame's paint, as React batches the reveals of streamed content (docs/decisions.md, "The
  // wall's page whole when the snapshot is kept"). Without one (the first wall after a start) the
  // frame goes out first and the tiles follow.
  if (nocSnapshotKept(db)) return wall;
  return <Suspense fallback={<WallLoading theme={options.theme} />}>{wall}</Suspense>;
}

/**
 * The wall's first snapshot is read here, on the server, and handed to the browser's query
 * cache cut to what the wall's first page draws (lib/noc/wall-slice.ts: that page's tiles, the
 * whole fleet's counts and warnings), so the screen paints its tiles at once and the page carries
 * one page of tiles, not the fleet; the wall fetches the whole snapshot after that first paint.
 */
async function WallWithSnapshot({ db, options, viewport }: { db: Database; options: WallOptions; viewport: WallViewport }) {
  const queryClient = new QueryClient();
  await queryClient.prefetchQuery({
    ...nocSnapshotQuery(),
    // One try: a database that is down should not hold the page for the client's backoff.
    retry: false,
    // The process's kept snapshot (the one the route handler serves), not a request to ourselves.
    queryFn: async () => {
      try {
        const { snapshot } = await readNocSnapshot(db);
        const firstPage = sliceForFirstPage(snapshot, { viewport, rotate: options.rotateMs !== null });
        // The age it has now, as the route's Age header tells the wall on every later poll.
        return { ...firstPage, servedAgeMs: Math.max(0, Date.now() - Date.parse(snapshot.generatedAt)) };
      } catch (error) {
        // The wall still renders (skeleton, then the client's own polling); the cause is logged.
        console.error("[noc] snapshot prefetch failed:", error);
        throw error;
      }
    },
  });
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <NocWall options={options} />
    </HydrationBoundary>
  );
}
