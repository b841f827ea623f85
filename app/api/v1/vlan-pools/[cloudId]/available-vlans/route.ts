import { readPool } from "@/lib/api/pool-view";
import { jsonResponse, queryOf, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { problemJson } from "@/lib/server/problem";
import { availableVlansQuery } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/** GET /api/v1/vlan-pools/{cloudId}/available-vlans?limit= — free VLAN IDs, lowest first (NetBox's available-vlans). */
export const GET = defineRoute<{ cloudId: string }, "portal:read">({ access: "portal:read" }, async (request, { db, params }) => {
  const query = validate(availableVlansQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  const pool = await readPool(db, params.cloudId);
  if (!pool) return problemJson(404, "Not found.");
  return jsonResponse({ items: pool.free.slice(0, query.value.limit).map((vlanId) => ({ vlanId })), free: pool.free.length });
});
