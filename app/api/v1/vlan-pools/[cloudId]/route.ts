import { entityTag } from "@/lib/api/if-match";
import { readPool } from "@/lib/api/pool-view";
import { checkIfMatch, staleResponse } from "@/lib/api/preconditions";
import { jsonResponse, readValidBody, refusalResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { updateVlanPool } from "@/lib/commands/vlan-pools";
import { getPoolVersion } from "@/lib/queries/pools";
import { problemJson } from "@/lib/server/problem";
import { formatVlanRanges } from "@/lib/domain/vlan";
import { updatePoolInput } from "@/lib/validation/pool";
import { isUuid } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/vlan-pools/{cloudId} — the pool's rules (ranges, reserved IDs, quarantine), counts
 * by state and holders, with an ETag to send back in If-Match when changing them.
 */
export const GET = defineRoute<{ cloudId: string }, "portal:read">({ access: "portal:read" }, async (_request, { db, params }) => {
  // The version first: a save landing between the reads makes this ETag stale, never newer than the body.
  const version = isUuid(params.cloudId) ? await getPoolVersion(db, params.cloudId) : null;
  const pool = await readPool(db, params.cloudId);
  if (!pool || version === null) return problemJson(404, "Not found.");
  const { view } = pool;
  return jsonResponse(
    {
      privateCloud: view.cloud,
      ranges: formatVlanRanges(view.rules.ranges),
      reserved: view.rules.reserved,
      quarantineDays: view.quarantineDays,
      counts: view.counts,
      holders: view.holders,
    },
    { headers: { etag: entityTag(version) } },
  );
});

/**
 * PUT /api/v1/vlan-pools/{cloudId} — the pool's rules as the VLAN pools page edits them:
 * `ranges` ("2-99,200-299"), `reserved` ("1,1002-1005") and `quarantineDays`. With If-Match, a
 * pool changed since that ETag gets 412 and nothing is written (checked again under the lock).
 */
export const PUT = defineRoute<{ cloudId: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  const version = isUuid(params.cloudId) ? await getPoolVersion(db, params.cloudId) : null;
  if (version === null) return problemJson(404, "Not found.");
  const precondition = checkIfMatch(request, version, { required: false, what: "the pool" });
  if (!precondition.ok) return precondition.response;
  const body = await readValidBody(request, updatePoolInput.omit({ privateCloudId: true }));
  if (!body.ok) return body.response;
  const result = await updateVlanPool(db, principal, { ...body.value, privateCloudId: params.cloudId }, { ifVersion: precondition.version });
  if (!result.ok) return result.reason === "stale" ? staleResponse("the pool") : refusalResponse(result);
  const saved = await getPoolVersion(db, params.cloudId);
  return jsonResponse({ saved: true, keptOutsideRules: result.keptOutsideRules }, { headers: saved ? { etag: entityTag(saved) } : {} });
});
