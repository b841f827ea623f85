import { readPool } from "@/lib/api/pool-view";
import { jsonResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { deriveVni } from "@/lib/domain/vlan";
import { problemJson } from "@/lib/server/problem";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/vlan-pools/{cloudId}/next-vlan — the VLAN (and VNI) onboarding would take next.
 * It is not held for you: onboard with `vlan: "next"` to take one atomically; 409 when none is free.
 */
export const GET = defineRoute<{ cloudId: string }, "portal:read">({ access: "portal:read" }, async (_request, { db, params }) => {
  const pool = await readPool(db, params.cloudId);
  if (!pool) return problemJson(404, "Not found.");
  const next = pool.free[0];
  if (next === undefined) return problemJson(409, "No free VLAN left in this pool: widen its ranges, release reserved IDs, or wait for a quarantine to end.");
  return jsonResponse({ vlanId: next, vni: deriveVni(next) });
});
