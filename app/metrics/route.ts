import { defineRoute } from "@/lib/auth/guards";
import { getDatabase } from "@/lib/db/client";
import { renderMetrics } from "@/lib/metrics/fleet-gauges";

export const dynamic = "force-dynamic";

/**
 * GET /metrics — Prometheus' text format, for a scraper with a scrape token (docs/metrics.md
 * lists every series, its labels, a scrape config and alert rules).
 */
export const GET = defineRoute({ access: "scraper" }, async () => {
  const { body, contentType } = await renderMetrics(await getDatabase(), new Date());
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
