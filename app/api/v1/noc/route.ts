import { defineRoute } from "@/lib/auth/guards";
import { getSharedNocSnapshot } from "@/lib/queries/noc";

export const dynamic = "force-dynamic";

/**
 * The NOC wall's data: every tunnel's state and last hour, fleet counts, open warnings. Walls
 * poll it every 15 s; those asking within a few seconds of each other share one read.
 */
export const GET = defineRoute({ access: "fleet:read" }, async (_request, { db }) =>
  Response.json(await getSharedNocSnapshot(db), { headers: { "cache-control": "no-store" } }),
);
