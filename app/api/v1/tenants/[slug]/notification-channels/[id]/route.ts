import { deleteChannelOf, getChannelOf, updateChannelOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";
import type { Database } from "@/lib/db/client";
import { findTenantIdBySlug } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

type Params = { slug: string; id: string };
const tenantOf = ({ slug }: Params, db: Database) => findTenantIdBySlug(slug, db);

/** GET /api/v1/tenants/{slug}/notification-channels/{id} — one of the tenant's own channels, with its ETag. */
export const GET = defineRoute<Params, "tenant:write">({ access: "tenant:write", tenant: tenantOf }, async (_request, { db, tenantId, params }) =>
  getChannelOf(db, { owner: tenantId!, slug: params.slug }, params.id),
);

/** PUT /api/v1/tenants/{slug}/notification-channels/{id} — change one of the tenant's own channels (If-Match optional; stale 412); another's is not found. */
export const PUT = defineRoute<Params, "tenant:write">({ access: "tenant:write", tenant: tenantOf }, async (request, { db, principal, tenantId, params }) =>
  updateChannelOf(request, { db, principal }, { owner: tenantId!, slug: params.slug }, params.id),
);

/** DELETE /api/v1/tenants/{slug}/notification-channels/{id} — delete one of the tenant's own channels. */
export const DELETE = defineRoute<Params, "tenant:write">({ access: "tenant:write", tenant: tenantOf }, async (_request, { db, principal, tenantId, params }) =>
  deleteChannelOf({ db, principal }, { owner: tenantId!, slug: params.slug }, params.id),
);
