import { jsonResponse, readJsonBody, refusalResponse, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { addTunnel } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { getSecretsKey } from "@/lib/secrets";
import { problemJson } from "@/lib/server/problem";
import { addTunnelInput } from "@/lib/validation/tunnel";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tenants/{slug}/tunnels — adds a tunnel (at most two: primary and standby) with both
 * ends (the console's form, same schema and command). Its configs, with both agents' tokens, are
 * at /api/v1/tunnels/{id}/bundle.
 */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  const tenantId = await findTenantIdBySlug(params.slug, db);
  if (!tenantId) return problemJson(404, "Not found.");
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  if (!body.value || typeof body.value !== "object" || Array.isArray(body.value)) return problemJson(400, "Send the tunnel as a JSON object.");
  const input = validate(addTunnelInput, { ...body.value, tenantId });
  if (!input.ok) return input.response;
  const result = await addTunnel(db, principal, input.value, getSecretsKey(readConfig()));
  if (!result.ok) return refusalResponse(result);
  return jsonResponse(
    { id: result.tunnelId, ordinal: result.ordinal, name: input.value.name, bundle: `/api/v1/tunnels/${result.tunnelId}/bundle` },
    { status: 201, headers: { location: `/api/v1/tunnels/${result.tunnelId}` } },
  );
});
