import { jsonResponse, queryOf, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { listFleetWarnings, WARNING_PAGE_SIZE } from "@/lib/queries/warnings";
import { warningListQuery } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/warnings — every active warning, worst first, with the warnings page's filters
 * (severity, kind, tenant) and its pages. A tenant's own list is /api/v1/tenants/{slug}/warnings.
 */
export const GET = defineRoute({ access: "portal:read" }, async (request, { db }) => {
  const query = validate(warningListQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  const list = await listFleetWarnings(db, query.value, WARNING_PAGE_SIZE);
  return jsonResponse({ items: list.rows, total: list.total, page: query.value.page, pages: list.pages });
});
