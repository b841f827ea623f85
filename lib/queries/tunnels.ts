import "server-only";
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

/** Which of its tokens an agent last reported with. */
export type TokenInUse = "current" | "previous" | "retired" | null;

export async function listTenantEndpoints(db: Database, tenantId: string, now = new Date()) {
  const previousValid = sql`${tunnelEndpoints.previousTokenHash} is not null and ${tunnelEndpoints.previousTokenValidUntil} > ${now}`;
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
      previousIssuedAt: sql<Date | null>`case when ${previousValid} then ${tunnelEndpoints.previousTokenIssuedAt} end`.mapWith(tunnelEndpoints.previousTokenIssuedAt),
      previousValidUntil: sql<Date | null>`case when ${previousValid} then ${tunnelEndpoints.previousTokenValidUntil} end`.mapWith(tunnelEndpoints.previousTokenValidUntil),
      // Compared here, so no hash leaves the database.
      tokenInUse: sql<TokenInUse>`case
        when ${tunnelEndpoints.lastTokenHash} is null then null
        when ${tunnelEndpoints.lastTokenHash} = ${tunnelEndpoints.agentTokenHash} then 'current'
        when ${tunnelEndpoints.lastTokenHash} = ${tunnelEndpoints.previousTokenHash} and ${previousValid} then 'previous'
        else 'retired' end`,
      lastSampleAt: tunnelEndpoints.lastSampleAt,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .where(eq(tunnels.tenantId, tenantId))
    .orderBy(asc(tunnels.ordinal), asc(tunnelEndpoints.side));
}
