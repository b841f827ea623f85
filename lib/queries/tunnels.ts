import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tunnelEndpoints, tunnels } from "@/lib/db/schema";

export async function findTenantIdByEndpoint(endpointId: string, db: Database): Promise<string | null> {
  const [row] = await db
    .select({ tenantId: tunnels.tenantId })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .where(eq(tunnelEndpoints.id, endpointId));
  return row?.tenantId ?? null;
}

export async function listTenantEndpoints(db: Database, tenantId: string) {
  return db
    .select({
      id: tunnelEndpoints.id,
      tunnelName: tunnels.name,
      side: tunnelEndpoints.side,
      hostname: tunnelEndpoints.hostname,
      underlayIp: tunnelEndpoints.underlayIp,
      // Whether a token exists, never its hash: this result is rendered for tenant users.
      hasToken: sql<boolean>`${tunnelEndpoints.agentTokenHash} is not null`,
      rotatedAt: tunnelEndpoints.agentTokenRotatedAt,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .where(eq(tunnels.tenantId, tenantId))
    .orderBy(asc(tunnels.ordinal), asc(tunnelEndpoints.side));
}
