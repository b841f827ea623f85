import { jsonResponse, refusalResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { retrySegment } from "@/lib/commands/retry-segment";
import { findSegmentIdOfTenant } from "@/lib/queries/segments";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { problemJson } from "@/lib/server/problem";

export const dynamic = "force-dynamic";

/** POST /api/v1/tenants/{slug}/segment/retry — sends a failed or drifted segment back to the provisioning job. */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (_request, { db, principal, params }) => {
  const tenantId = await findTenantIdBySlug(params.slug, db);
  const segmentId = tenantId ? await findSegmentIdOfTenant(db, tenantId) : null;
  if (!segmentId) return problemJson(404, "Not found.");
  const result = await retrySegment(db, principal, segmentId);
  if (!result.ok) return refusalResponse(result);
  return jsonResponse({ state: "retrying" }, { status: 202 });
});
