import { jsonResponse, refusalResponse } from "@/lib/api/request";
import { tenantOfEndpoint } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";
import { rotateAgentToken } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tunnel-endpoints/{id}/agent-token — rotates one end's telemetry agent token. The
 * new token is in the answer, once; the previous one keeps working for AGENT_TOKEN_GRACE_HOURS.
 */
export const POST = defineRoute({ access: "tenant:write", tenant: tenantOfEndpoint }, async (_request, { db, principal, params }) => {
  const config = readConfig();
  const rotated = await rotateAgentToken(db, principal, params.id, { secretsKey: getSecretsKey(config), graceHours: config.agentTokenGraceHours });
  if (!rotated.ok) return refusalResponse(rotated);
  return jsonResponse({ endpointId: params.id, hostname: rotated.hostname, token: rotated.token, previousValidUntil: rotated.previousValidUntil }, { status: 201 });
});
