import { defineRoute } from "@/lib/auth/guards";
import { readRangeParams, TimeRangeError } from "@/lib/charts/time-range";
import { tenantOfTunnel } from "@/lib/gateway/download";
import { problem } from "@/lib/server/http";
import { getTunnelSeries } from "@/lib/queries/tunnel-telemetry";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tunnels/{id}/series?range=1h|6h|24h|7d|30d, or ?from=…&to=… (ISO 8601, epoch ms,
 * or now-relative such as now-6h) — the tunnel's health and its latency, jitter, loss and
 * throughput for a chart, with the tenant's latency objective. Operators, or the tenant's own
 * users; another tenant's tunnel is reported as missing.
 */
export const GET = defineRoute({ access: "tenant:read", tenant: tenantOfTunnel }, async (request, { db, params }) => {
  const query = new URL(request.url).searchParams;
  try {
    const range = readRangeParams({ range: query.get("range"), from: query.get("from"), to: query.get("to") });
    const series = await getTunnelSeries(db, params.id, range, new Date());
    if (!series) return problem(404, "Not found.");
    return Response.json(series, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof TimeRangeError) return problem(400, error.message);
    throw error;
  }
});
