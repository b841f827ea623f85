import { defineRoute } from "@/lib/auth/guards";
import { canReadFleet } from "@/lib/auth/permissions";
import { attachMutes } from "@/lib/queries/notifications";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { listTenantWarnings } from "@/lib/queries/warnings";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tenants/{slug}/warnings — the tenant's active warnings (each with the silences,
 * maintenance or inhibition keeping it out of notifications) and its recently resolved ones.
 */
export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, tenantId, principal }) => {
    const data = await listTenantWarnings(db, tenantId!);
    const active = await attachMutes(db, data.active, { includeOperatorSilences: canReadFleet(principal), now: new Date() });
    return Response.json({ ...data, active }, { headers: { "cache-control": "no-store" } });
  },
);
