import { defineRoute } from "@/lib/auth/guards";
import { tenantOfTunnel } from "@/lib/gateway/download";
import { problem } from "@/lib/server/http";
import { getTunnelPaths } from "@/lib/queries/tunnel-telemetry";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tunnels/{id}/paths — the newest forward path (traced by the source gateway's agent)
 * and reverse path (traced by the AVS edge bridge's agent), lined up hop by hop with the hops
 * that differ marked. Same access as the tunnel's charts.
 */
export const GET = defineRoute({ access: "tenant:read", tenant: tenantOfTunnel }, async (_request, { db, params }) => {
  const paths = await getTunnelPaths(db, params.id, new Date());
  if (!paths) return problem(404, "Not found.");
  return Response.json(paths, { headers: { "cache-control": "no-store" } });
});
