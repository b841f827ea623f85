import { defineRoute } from "@/lib/auth/guards";
import { CHART_RANGE_HINT, parseChartRange } from "@/lib/charts/ranges";
import { tenantOfTunnel } from "@/lib/gateway/download";
import { problem } from "@/lib/server/http";
import { getTunnelSeries } from "@/lib/queries/tunnel-telemetry";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tunnels/{id}/series?range=1h|24h|7d|30d — the tunnel's health and its latency,
 * jitter and loss for a chart, with the tenant's latency objective. Operators, or the tenant's
 * own users; another tenant's tunnel is reported as missing.
 */
export const GET = defineRoute({ access: "tenant:read", tenant: tenantOfTunnel }, async (request, { db, params }) => {
  const raw = new URL(request.url).searchParams.get("range");
  const range = parseChartRange(raw);
  if (!range) return problem(400, `${raw === null ? "range is missing" : `range ${JSON.stringify(raw.slice(0, 20))} is not known`}: ${CHART_RANGE_HINT}`);
  const series = await getTunnelSeries(db, params.id, range, new Date());
  if (!series) return problem(404, "Not found.");
  return Response.json(series, { headers: { "cache-control": "no-store" } });
});
