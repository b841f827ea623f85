import { createChannelFor, listChannelsOf } from "@/lib/api/notification-routes";
import { tenantOfSlug } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tenants/{slug}/notification-channels — the tenant's own channels. As the tenant's
 * notifications page, for its tenant admins (and operators): a write scope is needed.
 */
export const GET = defineRoute({ access: "tenant:write", tenant: tenantOfSlug }, async (_request, { db, tenantId, params }) =>
  listChannelsOf(db, { owner: tenantId!, slug: params.slug }),
);

/** POST /api/v1/tenants/{slug}/notification-channels — add a channel of the tenant's own. */
export const POST = defineRoute({ access: "tenant:write", tenant: tenantOfSlug }, async (request, { db, principal, tenantId, params }) =>
  createChannelFor(request, { db, principal }, { owner: tenantId!, slug: params.slug }),
);
