import { defineRoute } from "@/lib/auth/guards";
import { findTenantIdBySlug, getTenantSummary } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, tenantId }) => {
    const summary = await getTenantSummary(db, tenantId!);
    return Response.json(summary, { headers: { "cache-control": "no-store" } });
  },
);
