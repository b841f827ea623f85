import "server-only";
import { and, eq, gt, notInArray, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { hashToken } from "./tokens";
import type { Side } from "@/lib/domain/tenant-options";

/**
 * A telemetry agent: one end of one tunnel, known by its bearer token. `tokenHash` says which of
 * the endpoint's tokens it used (the current one, or the previous one within its grace window).
 */
export type AgentPrincipal = { endpointId: string; tunnelId: string; tenantId: string; side: Side; tokenUsed: "current" | "previous"; tokenHash: string };

const BEARER = /^Bearer (agt_[\w-]{43})$/;

/**
 * The endpoint whose current token this is, or whose previous token it is while the rotation's
 * grace window lasts. A token rotated out longer ago, one revoked at once, and an offboarding
 * tenant's tokens match nothing and fall out here.
 */
export async function authenticateAgent(authorization: string | null, db: Database, now = new Date()): Promise<AgentPrincipal | null> {
  const token = BEARER.exec(authorization ?? "")?.[1];
  if (!token) return null;
  const tokenHash = hashToken(token);
  const [row] = await db
    .select({
      endpointId: tunnelEndpoints.id,
      tunnelId: tunnels.id,
      tenantId: tunnels.tenantId,
      side: tunnelEndpoints.side,
      current: sql<boolean>`${tunnelEndpoints.agentTokenHash} = ${tokenHash}`,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(
      and(
        or(eq(tunnelEndpoints.agentTokenHash, tokenHash), and(eq(tunnelEndpoints.previousTokenHash, tokenHash), gt(tunnelEndpoints.previousTokenValidUntil, now))),
        notInArray(tenants.state, ["offboarding", "offboarded"]),
      ),
    );
  if (!row) return null;
  const { current, ...agent } = row;
  return { ...agent, tokenUsed: current ? "current" : "previous", tokenHash };
}
