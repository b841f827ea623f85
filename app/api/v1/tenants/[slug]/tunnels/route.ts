import { callerOf, runIdempotent } from "@/lib/api/idempotency";
import { readJsonBody, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { addTunnel } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { getSecretsKey } from "@/lib/secrets";
import { problemBody, problemJson } from "@/lib/server/problem";
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
  // A retry after a lost answer gets the first answer (the new tunnel's id) rather than a 409 for
  // its own tunnel's name. The answer holds no secret (those are in the bundle), so it may be kept.
  return runIdempotent(db, request, callerOf(principal), body.value, async (tx) => {
    const result = await addTunnel(tx, principal, input.value, getSecretsKey(readConfig()));
    if (!result.ok) return { status: result.status, body: problemBody(result.status, result.message, result.errors) };
    return {
      status: 201,
      location: `/api/v1/tunnels/${result.tunnelId}`,
      body: { id: result.tunnelId, ordinal: result.ordinal, name: input.value.name, bundle: `/api/v1/tunnels/${result.tunnelId}/bundle` },
    };
  });
});
