import { entityTag } from "@/lib/api/if-match";
import { jsonResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { getStretchVersion, getStretchView, stretchAudienceOf } from "@/lib/queries/stretch";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { problemJson } from "@/lib/server/problem";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tenants/{slug}/stretch — where the stretch stands, its pre-checks with their
 * evidence, and its timeline. Read-only, for operators and the tenant's own users alike. The
 * ETag is the stretch's version (when its stage or plan last changed): the step routes require
 * it back in If-Match.
 */
export const GET = defineRoute(
  { access: "tenant:read", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, principal, tenantId }) => {
    // The version first: a step landing between the reads makes this ETag stale, never newer than the view.
    const version = await getStretchVersion(db, tenantId!);
    const view = await getStretchView(db, tenantId!, new Date(), { audience: stretchAudienceOf(principal) });
    if (!view || !version) return problemJson(404, "Not found.");
    return jsonResponse(view, { headers: { etag: entityTag(version) } });
  },
);
