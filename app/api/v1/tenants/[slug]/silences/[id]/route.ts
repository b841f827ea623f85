import { endSilenceOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";
import type { Database } from "@/lib/db/client";
import { findTenantIdBySlug } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

type Params = { slug: string; id: string };

/** DELETE /api/v1/tenants/{slug}/silences/{id} — end one of the tenant's own silences now; the operators' are not found. */
export const DELETE = defineRoute<Params, "tenant:write">({ access: "tenant:write", tenant: ({ slug }: Params, db: Database) => findTenantIdBySlug(slug, db) }, async (_request, { db, principal, tenantId, params }) =>
  endSilenceOf({ db, principal }, { owner: tenantId!, slug: params.slug }, params.id),
);
