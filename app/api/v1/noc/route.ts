import { defineRoute } from "@/lib/auth/guards";
import { nocSnapshotResponse, readNocSnapshot } from "@/lib/queries/noc-cache";

export const dynamic = "force-dynamic";

/**
 * The NOC wall's data: every tunnel's state and last hour, fleet counts, open warnings. Walls
 * poll it every 15 s; every request is answered from the process's kept snapshot, refreshed in
 * the background while anyone watches (lib/queries/noc-cache.ts), with a 304 for a wall that
 * already holds it. Authorized first, as every route: the kept snapshot is handed out after.
 */
export const GET = defineRoute({ access: "fleet:read" }, async (request, { db }) => nocSnapshotResponse(request, await readNocSnapshot(db)));
