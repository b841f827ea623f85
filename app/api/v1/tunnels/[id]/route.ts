import { jsonResponse, refusalResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { removeTunnel } from "@/lib/commands/tunnels";
import { problemJson } from "@/lib/server/problem";
import { isUuid } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/** DELETE /api/v1/tunnels/{id} — removes a tunnel with its ends and their agent tokens; its warnings stay as history. */
export const DELETE = defineRoute<{ id: string }, "fleet:write">({ access: "fleet:write" }, async (_request, { db, principal, params }) => {
  if (!isUuid(params.id)) return problemJson(404, "Not found.");
  const result = await removeTunnel(db, principal, params.id);
  if (!result.ok) return refusalResponse(result);
  return jsonResponse({ removed: params.id });
});
