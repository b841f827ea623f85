import { defineRoute } from "@/lib/auth/guards";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { listTenantWarnings } from "@/lib/queries/warnings";

export const dynamic = "force-dynamic";

/** GET /api/v1/tenants/{slug}/warnings — the tenant's active warnings and its recently resolved ones. */
export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, tenantId }) => Response.json(await listTenantWarnings(db, tenantId!), { headers: { "cache-control": "no-store" } }),
);
