import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { TenantOverview } from "@/components/tenant/tenant-overview";
import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { RowActionButton } from "@/components/forms/row-action-button";
import { AgentTokens } from "@/components/tenant/agent-tokens";
import { MtuBudget } from "@/components/tenant/mtu-budget";
import { SegmentCard } from "@/components/tenant/segment-card";
import { offboardTenant } from "@/lib/actions/tenants/offboard-tenant";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { canAccessTenant, hasPermission, isAdmin } from "@/lib/auth/permissions";
import { TunnelConfigs } from "@/components/tenant/tunnel-configs";
import { listTunnelDownloads } from "@/lib/queries/gateway-files";
import { listAuditEvents } from "@/lib/queries/audit";
import { getSegmentStatus } from "@/lib/queries/segments";
import { getDatabase } from "@/lib/db/client";
import { findTenantIdBySlug, getTenantSummary } from "@/lib/queries/tenants";
import { listTenantEndpoints } from "@/lib/queries/tunnels";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Tenant" };

export default async function TenantPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { db } = await getDatabase();
  const tenantId = await findTenantIdBySlug(slug, db);
  const { principal } = await requirePageAccess("tenant:read", { tenantId });
  const [tenant, segment, endpoints, audit, tunnelDownloads] = await Promise.all([
    getTenantSummary(db, tenantId!),
    getSegmentStatus(db, tenantId!),
    listTenantEndpoints(db, tenantId!),
    listAuditEvents(db, { tenantId: tenantId!, pageSize: 20 }),
    listTunnelDownloads(db, tenantId!, { mayDownload: hasPermission(principal, "tenant:secrets", tenantId) }),
  ]);
  if (!tenant) notFound();
  const home = principal.kind === "user" && principal.tenant ? `/t/${principal.tenant.slug}` : "/admin";
  return (
    <>
      <AppHeader home={home} area={principal.kind === "user" && principal.tenant ? "my network" : "tenant"} nav={[]} principal={principal} />
      <main className="mx-auto max-w-5xl px-6 py-8">
        <TenantOverview tenant={tenant} />
        {isAdmin(principal) && (tenant.state === "onboarding" || tenant.state === "active") && (
          <div className="mt-6 flex items-center gap-4">
            <Link href={`/admin/tenants/${tenant.slug}/edit`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
              Edit
            </Link>
            <RowActionButton
              action={offboardTenant}
              id={tenant.id}
              label="Offboard"
              confirm={`Offboard ${tenant.displayName}? Its users lose access, its agent tokens stop working, and VLAN ${tenant.vlanId} goes into quarantine once the segment is removed.`}
            />
          </div>
        )}
        <SegmentCard slug={tenant.slug} initial={segment} canRetry={isAdmin(principal)} />
        <MtuBudget
          underlayMtu={tenant.underlayMtu}
          encapsulation={tenant.encapsulation}
          transport={tenant.transport}
          underlayAddress={tenant.sourceGatewayUnderlayIp}
        />
        <TunnelConfigs
          tenantId={tenant.id}
          tunnels={tunnelDownloads}
          canManage={isAdmin(principal) && (tenant.state === "onboarding" || tenant.state === "active")}
          defaultSourceIp={tenant.sourceGatewayUnderlayIp}
        />
        <AgentTokens
          endpoints={endpoints}
          canRotate={canAccessTenant(principal, tenant.id, "write") && tenant.state !== "offboarded"}
        />
        <section aria-labelledby="audit-heading" className="mt-8 space-y-3">
          <h2 id="audit-heading" className="text-lg font-semibold">
            Audit trail
          </h2>
          <AuditTable rows={audit.rows} showTenant={false} />
        </section>
      </main>
    </>
  );
}
