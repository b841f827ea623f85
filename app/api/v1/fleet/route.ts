import { defineRoute } from "@/lib/auth/guards";
import { getFleetOverview } from "@/lib/queries/fleet";

export const dynamic = "force-dynamic";

/** GET /api/v1/fleet — the admin overview's numbers, polled by the overview page. */
export const GET = defineRoute({ access: "portal:read" }, async (_request, { db }) => {
  return Response.json(await getFleetOverview(db), { headers: { "cache-control": "no-store" } });
});
