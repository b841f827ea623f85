import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { TenantOverview } from "@/components/tenant/tenant-overview";
import { AgentTokens } from "@/components/tenant/agent-tokens";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { canAccessTenant } from "@/lib/auth/permissions";
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
  const [tenant, endpoints] = await Promise.all([getTenantSummary(db, tenantId!), listTenantEndpoints(db, tenantId!)]);
  if (!tenant) notFound();
  const home = principal.kind === "user" && principal.tenant ? `/t/${principal.tenant.slug}` : "/admin";
  return (
    <>
      <AppHeader home={home} area={principal.kind === "user" && principal.tenant ? "my network" : "tenant"} nav={[]} principal={principal} />
      <main className="mx-auto max-w-5xl px-6 py-8">
        <TenantOverview tenant={tenant} />
        <AgentTokens
          endpoints={endpoints}
          canRotate={canAccessTenant(principal, tenant.id, "write")}
        />
      </main>
    </>
  );
}
