import { and, eq, notInArray } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { hashToken } from "./tokens";
import type { Side } from "@/lib/domain/tenant-options";

/** A telemetry agent: one end of one tunnel, known by its bearer token. */
export type AgentPrincipal = { endpointId: string; tunnelId: string; tenantId: string; side: Side };

const BEARER = /^Bearer (agt_[\w-]{43})$/;

/**
 * The endpoint whose current token this is. A rotated token no longer matches any hash, and an
 * offboarding tenant's tokens were cleared, so both fall out here.
 */
export async function authenticateAgent(authorization: string | null, db: Database): Promise<AgentPrincipal | null> {
  const token = BEARER.exec(authorization ?? "")?.[1];
  if (!token) return null;
  const [row] = await db
    .select({ endpointId: tunnelEndpoints.id, tunnelId: tunnels.id, tenantId: tunnels.tenantId, side: tunnelEndpoints.side })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(and(eq(tunnelEndpoints.agentTokenHash, hashToken(token)), notInArray(tenants.state, ["offboarding", "offboarded"])));
  return row ?? null;
}
