import { defineRoute } from "@/lib/auth/guards";
import { getSegmentStatus } from "@/lib/queries/segments";
import { findTenantIdBySlug } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, tenantId }) => Response.json(await getSegmentStatus(db, tenantId!), { headers: { "cache-control": "no-store" } }),
);
