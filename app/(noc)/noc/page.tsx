import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";
import { NocWall } from "@/components/noc/noc-wall";
import { WallLoading } from "@/components/noc/wall-skeleton";
import { requirePageAccess } from "@/lib/auth/page-guard";
import type { Database } from "@/lib/db/client";
import { nocSnapshotQuery } from "@/lib/client/queries";
import { parseWallOptions, type WallOptions } from "@/lib/noc/wall-options";
import { readNocSnapshot } from "@/lib/queries/noc-cache";

export const metadata: Metadata = { title: "NOC wall" };
export const dynamic = "force-dynamic";

/**
 * The wall's page: who may see it is settled before the first byte (a redirect to sign-in or a
 * 403 keep their status codes), then the frame goes out at once, so the browser loads and
 * compiles the wall's scripts while the server reads the snapshot; the snapshot follows in the
 * same response (a Suspense boundary), and the tiles are drawn from it.
 */
export default async function NocWallPage({ searchParams }: { searchParams: Promise<{ rotate?: string | string[]; theme?: string | string[] }> }) {
  const { db } = await requirePageAccess("fleet:read");
  const { options, problems } = parseWallOptions(await searchParams);
  // The screen has nobody to read an error: it comes up on the defaults, and the log says why.
  for (const problem of problems) console.warn(`[noc] wall link: ${problem}`);
  return (
    <Suspense fallback={<WallLoading theme={options.theme} />}>
      <WallWithSnapshot db={db} options={options} />
    </Suspense>
  );
}

/**
 * The wall's first snapshot is read here, on the server, and handed to the browser's query
 * cache, so the screen paints tiles at once and the client only polls from then on.
 */
async function WallWithSnapshot({ db, options }: { db: Database; options: WallOptions }) {
  const queryClient = new QueryClient();
  await queryClient.prefetchQuery({
    ...nocSnapshotQuery(),
    // One try: a database that is down should not hold the page for the client's backoff.
    retry: false,
    // The process's kept snapshot (the one the route handler serves), not a request to ourselves.
    queryFn: async () => {
      try {
        const { snapshot } = await readNocSnapshot(db);
        // The age it has now, as the route's Age header tells the wall on every later poll.
        return { ...snapshot, servedAgeMs: Math.max(0, Date.now() - Date.parse(snapshot.generatedAt)) };
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
