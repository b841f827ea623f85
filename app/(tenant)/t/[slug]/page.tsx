import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { adminNav } from "@/components/admin/admin-nav";
import { AppHeader, MAIN_CONTENT_ID } from "@/components/app-header";
import { AuditTable } from "@/components/audit/audit-table";
import { AgentTokens } from "@/components/tenant/agent-tokens";
import { MtuBudget } from "@/components/tenant/mtu-budget";
import { SegmentCard } from "@/components/tenant/segment-card";
import { StretchSection } from "@/components/tenant/stretch-section";
import { TenantAdminActions } from "@/components/tenant/tenant-admin-actions";
import { TenantOverview } from "@/components/tenant/tenant-overview";
import { TunnelConfigs } from "@/components/tenant/tunnel-configs";
import { TunnelPanels } from "@/components/tenant/tunnel-panels";
import { WarningList } from "@/components/warnings/warning-list";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { canAccessTenant, canReadFleet, hasPermission, isAdmin } from "@/lib/auth/permissions";
import { readRangeParams, resolveRange, TimeRangeError, type RangeSpec } from "@/lib/charts/time-range";
import { tenantWarningsQuery, tunnelPathsQuery, tunnelSeriesQuery } from "@/lib/client/queries";
import { getDatabase, type Database } from "@/lib/db/client";
import { listAuditEvents } from "@/lib/queries/audit";
import { listTunnelDownloads } from "@/lib/queries/gateway-files";
import { getSegmentStatus } from "@/lib/queries/segments";
import { getStretchView, stretchAudienceOf } from "@/lib/queries/stretch";
import { findTenantIdBySlug, getTenantSummary, type TenantSummary } from "@/lib/queries/tenants";
import { listTenantEndpoints } from "@/lib/queries/tunnels";
import { getTunnelPaths, getTunnelSeries } from "@/lib/queries/tunnel-telemetry";
import { listTenantWarnings } from "@/lib/queries/warnings";
import { attachMutes } from "@/lib/queries/notifications";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Tenant" };

type Search = Record<string, string | string[] | undefined>;

export default async function TenantPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const { slug } = await params;
  const search = await searchParams;
  const onboarded = firstOf(search.onboarded);
  const { db } = await getDatabase();
  const tenantId = await findTenantIdBySlug(slug, db);
  const { principal } = await requirePageAccess("tenant:read", { tenantId });
  const tenant = await getTenantSummary(db, tenantId!);
  if (!tenant) notFound();
  const [segment, stretch, endpoints, audit, tunnelDownloads, live] = await Promise.all([
    getSegmentStatus(db, tenant.id),
    getStretchView(db, tenant.id, new Date(), { audience: stretchAudienceOf(principal) }),
    listTenantEndpoints(db, tenant.id),
    listAuditEvents(db, { tenantId: tenant.id, pageSize: 20 }),
    listTunnelDownloads(db, tenant.id, { mayDownload: hasPermission(principal, "tenant:secrets", tenant.id) }),
    prefetchLiveViews(db, tenant, canReadFleet(principal), chartRangeOf(search)),
  ]);
  // The tenant's own users see their network; an operator keeps the admin portal around it.
  const ownNetwork = principal.kind === "user" && principal.tenant !== null;
  const inService = tenant.state === "onboarding" || tenant.state === "active";
  return (
    <>
      {ownNetwork ? (
        <AppHeader home={`/t/${tenant.slug}`} area="my network" nav={[]} principal={principal} />
      ) : (
        <AppHeader home="/admin" area="admin" nav={adminNav(principal)} principal={principal} />
      )}
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="mx-auto max-w-6xl px-6 py-8 focus:outline-none">
        {onboarded === "1" && isAdmin(principal) && tenant.vlanId !== null && (
          <p role="status" className="mb-6 rounded-md border border-green-300 bg-green-50 px-4 py-3 font-medium text-green-900">
            {tenant.displayName} is onboarded on VLAN {tenant.vlanId} (VNI {tenant.vni}). Its segment is provisioned in the background; add its tunnels below.
          </p>
        )}
        <TenantOverview tenant={tenant} />
        {canAccessTenant(principal, tenant.id, "write") && (
          <p className="mt-4">
            <Link href={`/t/${tenant.slug}/notifications`} className="text-sm font-medium text-sky-800 underline">
              Notifications: channels, rules and silences
            </Link>
          </p>
        )}
        {isAdmin(principal) && inService && <TenantAdminActions tenant={tenant} offboardChecks={stretch?.checklists.offboard ?? []} />}
        <HydrationBoundary state={live}>
          <TunnelPanels tunnels={tenant.tunnels} tenantSlug={tenant.slug} />
          <WarningList slug={tenant.slug} canAcknowledge={canAccessTenant(principal, tenant.id, "write")} />
        </HydrationBoundary>
        {stretch && <StretchSection slug={tenant.slug} tenantId={tenant.id} initial={stretch} canAct={isAdmin(principal) && inService} />}
        <SegmentCard slug={tenant.slug} initial={segment} canRetry={isAdmin(principal)} />
        <MtuBudget
          underlayMtu={tenant.underlayMtu}
          encapsulation={tenant.encapsulation}
          transport={tenant.transport}
          underlayAddress={tenant.sourceGatewayUnderlayIp}
        />
        <TunnelConfigs tenantId={tenant.id} tunnels={tunnelDownloads} canManage={isAdmin(principal) && inService} defaultSourceIp={tenant.sourceGatewayUnderlayIp} ipsec={tenant.transport === "ipsec-vpn"} unextended={stretch?.stage === "unextended"} />
        <AgentTokens endpoints={endpoints} canRotate={canAccessTenant(principal, tenant.id, "write") && tenant.state !== "offboarded"} />
        <section aria-labelledby="audit-heading" className="mt-8 space-y-3">
          <h2 id="audit-heading" className="text-lg font-semibold">
            Audit trail
          </h2>
          <AuditTable rows={audit.rows} showTenant={false} audience={hasPermission(principal, "portal:read") ? "operator" : "tenant"} />
          {hasPermission(principal, "portal:read") && audit.total > audit.rows.length && (
            <p className="text-sm">
              <Link href={`/admin/audit?tenant=${encodeURIComponent(tenant.slug)}`} className="text-sky-800 underline">
                All {audit.total} events of {tenant.displayName}, to filter and export
              </Link>
            </p>
          )}
        </section>
      </main>
    </>
  );
}

const firstOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The charts' range from the URL, or null when it is not one (the charts then say why). */
function chartRangeOf(search: Search): RangeSpec | null {
  try {
    const range = readRangeParams({ range: firstOf(search.range), from: firstOf(search.from), to: firstOf(search.to) });
    resolveRange(range, Date.now());
    return range;
  } catch (error) {
    if (error instanceof TimeRangeError) return null;
    throw error;
  }
}

/**
 * The live views' first data, read here straight from the database (a route would only add a
 * round trip to ourselves) and handed to the browser's query cache, so the charts, paths and
 * warnings paint with data and only poll from then on. A read that fails is logged and left out:
 * that view shows its skeleton and fetches for itself.
 */
async function prefetchLiveViews(db: Database, tenant: TenantSummary, operator: boolean, range: RangeSpec | null) {
  // One client per request: a module-level one would share one user's data with the next.
  const queryClient = new QueryClient();
  const now = new Date();
  const orThrow = <T,>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`${what} vanished while the page was read`);
    return value;
  };
  const logged = (what: string) => (error: unknown) => {
    console.error(`[tenant ${tenant.slug}] ${what} prefetch failed:`, error);
    throw error;
  };
  await Promise.all([
    queryClient.prefetchQuery({
      ...tenantWarningsQuery(tenant.slug),
      retry: false,
      queryFn: () =>
        listTenantWarnings(db, tenant.id)
          .then(async (data) => ({ ...data, active: await attachMutes(db, data.active, { includeOperatorSilences: operator, now }) }))
          .catch(logged("warnings")),
    }),
    ...tenant.tunnels.flatMap((tunnel) => [
      // A range the URL spells wrong is not read: the charts say what is wrong with it.
      range && queryClient.prefetchQuery({
        ...tunnelSeriesQuery(tunnel.id, range),
        retry: false,
        queryFn: () =>
          getTunnelSeries(db, tunnel.id, range, now)
            .then((series) => orThrow(series, `tunnel ${tunnel.name}`))
            .catch(logged(`tunnel ${tunnel.name} series`)),
      }),
      queryClient.prefetchQuery({
        ...tunnelPathsQuery(tunnel.id),
        retry: false,
        queryFn: () =>
          getTunnelPaths(db, tunnel.id, now)
            .then((paths) => orThrow(paths, `tunnel ${tunnel.name}`))
            .catch(logged(`tunnel ${tunnel.name} paths`)),
      }),
    ]),
  ]);
  return dehydrate(queryClient);
}
