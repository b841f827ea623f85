import { createSilenceFor, listSilencesOf } from "@/lib/api/notification-routes";
import { tenantOfSlug } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** GET /api/v1/tenants/{slug}/silences — the tenant's own silences (its notifications page: tenant admins and operators). */
export const GET = defineRoute({ access: "tenant:write", tenant: tenantOfSlug }, async (_request, { db, tenantId, params }) =>
  listSilencesOf(db, { owner: tenantId!, slug: params.slug }),
);

/** POST /api/v1/tenants/{slug}/silences — quiet the tenant's own rules for its warnings (a tunnel or kind of them). */
export const POST = defineRoute({ access: "tenant:write", tenant: tenantOfSlug }, async (request, { db, principal, tenantId, params }) =>
  createSilenceFor(request, { db, principal }, { owner: tenantId!, slug: params.slug }),
);
