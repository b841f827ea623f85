import { jsonResponse } from "@/lib/api/request";
import { tenantOfWarning } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";
import { acknowledgeWarnings } from "@/lib/commands/acknowledge-warnings";
import { problemJson } from "@/lib/server/problem";

export const dynamic = "force-dynamic";

/** POST /api/v1/warnings/{id}/acknowledge — someone is on it; 409 when it was already acknowledged or has resolved. */
export const POST = defineRoute({ access: "tenant:write", tenant: tenantOfWarning }, async (_request, { db, principal, params, tenantId }) => {
  const result = await acknowledgeWarnings(db, principal, [params.id], { tenantId: tenantId! });
  if (result.acknowledged !== 1) return problemJson(409, "This warning was already acknowledged or has resolved.");
  return jsonResponse({ id: params.id, state: "acknowledged" });
});
