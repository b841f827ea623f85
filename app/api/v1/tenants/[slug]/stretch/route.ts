import { defineRoute } from "@/lib/auth/guards";
import { getStretchView, stretchAudienceOf } from "@/lib/queries/stretch";
import { findTenantIdBySlug } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tenants/{slug}/stretch — where the stretch stands, its pre-checks with their
 * evidence, and its timeline. Read-only, for operators and the tenant's own users alike.
 */
export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, principal, tenantId }) =>
    Response.json(await getStretchView(db, tenantId!, new Date(), { audience: stretchAudienceOf(principal) }), { headers: { "cache-control": "no-store" } }),
);
