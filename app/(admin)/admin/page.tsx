import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { FleetOverview } from "@/components/admin/fleet-overview";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { fleetOverviewQuery } from "@/lib/client/queries";
import { getFleetOverview } from "@/lib/queries/fleet";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

/** Rendered with the numbers already in: the browser only polls from then on. */
export default async function AdminHomePage() {
  const { db } = await requirePageAccess("portal:read");
  const queryClient = new QueryClient();
  await queryClient.prefetchQuery({ ...fleetOverviewQuery(), queryFn: () => getFleetOverview(db) });
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">Fleet overview</h1>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <FleetOverview />
      </HydrationBoundary>
    </>
  );
}
