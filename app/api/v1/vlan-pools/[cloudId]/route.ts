import { readPool } from "@/lib/api/pool-view";
import { jsonResponse, readValidBody, refusalResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { updateVlanPool } from "@/lib/commands/vlan-pools";
import { problemJson } from "@/lib/server/problem";
import { formatVlanRanges } from "@/lib/domain/vlan";
import { updatePoolInput } from "@/lib/validation/pool";

export const dynamic = "force-dynamic";

/** GET /api/v1/vlan-pools/{cloudId} — the pool's rules (ranges, reserved IDs, quarantine), counts by state and holders. */
export const GET = defineRoute<{ cloudId: string }, "portal:read">({ access: "portal:read" }, async (_request, { db, params }) => {
  const pool = await readPool(db, params.cloudId);
  if (!pool) return problemJson(404, "Not found.");
  const { view } = pool;
  return jsonResponse({
    privateCloud: view.cloud,
    ranges: formatVlanRanges(view.rules.ranges),
    reserved: view.rules.reserved,
    quarantineDays: view.quarantineDays,
    counts: view.counts,
    holders: view.holders,
  });
});

/**
 * PUT /api/v1/vlan-pools/{cloudId} — the pool's rules as the VLAN pools page edits them:
 * `ranges` ("2-99,200-299"), `reserved` ("1,1002-1005") and `quarantineDays`.
 */
export const PUT = defineRoute<{ cloudId: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  if (!(await readPool(db, params.cloudId))) return problemJson(404, "Not found.");
  const body = await readValidBody(request, updatePoolInput.omit({ privateCloudId: true }));
  if (!body.ok) return body.response;
  const result = await updateVlanPool(db, principal, { ...body.value, privateCloudId: params.cloudId });
  if (!result.ok) return refusalResponse(result);
  return jsonResponse({ saved: true, keptOutsideRules: result.keptOutsideRules });
});
