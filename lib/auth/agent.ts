import "server-only";
import { and, eq, inArray, notInArray, or } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { jsonAnswer } from "@/lib/server/answer";
import { GroupCommit } from "@/lib/server/group-commit";
import { hashToken } from "./tokens";
import type { Side } from "@/lib/domain/tenant-options";

/**
 * A telemetry agent: one end of one tunnel, known by its bearer token. `tokenHash` says which of
 * the endpoint's tokens it used (the current one, or the previous one within its grace window).
 */
export type AgentPrincipal = { endpointId: string; tunnelId: string; tenantId: string; side: Side; tokenUsed: "current" | "previous"; tokenHash: string };

/** What an agent route answers a missing, unknown or rotated-out token, whichever door it came through. */
export const AGENT_TOKEN_REFUSAL = jsonAnswer(
  401,
  { error: "Send this endpoint's agent token as 'Authorization: Bearer agt_…'. This one is missing, unknown or was rotated." },
  { "www-authenticate": 'Bearer realm="bridgehead-telemetry"', "cache-control": "no-store" },
);

const BEARER = /^Bearer (agt_[\w-]{43})$/;

type Lookup = { tokenHash: string; now: Date };
type EndpointOfToken = Omit<AgentPrincipal, "tokenUsed" | "tokenHash"> & { currentHash: string | null; previousHash: string | null; previousValidUntil: Date | null };
const lookups = new WeakMap<Database, GroupCommit<Lookup, AgentPrincipal | null>>();

/**
 * The endpoint whose current token this is, or whose previous token it is while the rotation's
 * grace window lasts. A token rotated out longer ago, one revoked at once, and an offboarding
 * tenant's tokens match nothing and fall out here.
 *
 * Every agent's post starts here, so lookups that arrive while one is under way are made
 * together, in one statement (lib/server/group-commit.ts): on the embedded database's one
 * connection a statement per post was the larger half of ingest's cost once the samples were
 * written in groups. Each caller's grace window is judged at its own `now`.
 */
export async function authenticateAgent(authorization: string | null, db: Database, now = new Date()): Promise<AgentPrincipal | null> {
  const token = BEARER.exec(authorization ?? "")?.[1];
  if (!token) return null;
  let group = lookups.get(db);
  if (!group) {
    group = new GroupCommit((batch) => findAgents(db, batch), { maxWeight: 500, maxWaiting: 5_000, weightOf: () => 1, retryAlone: false });
    lookups.set(db, group);
  }
  return group.submit({ tokenHash: hashToken(token), now });
}

async function findAgents(db: Database, batch: readonly Lookup[]): Promise<(AgentPrincipal | null)[]> {
  const hashes = [...new Set(batch.map((l) => l.tokenHash))];
  const rows: EndpointOfToken[] = await db
    .select({
      endpointId: tunnelEndpoints.id,
      tunnelId: tunnels.id,
      tenantId: tunnels.tenantId,
      side: tunnelEndpoints.side,
      currentHash: tunnelEndpoints.agentTokenHash,
      previousHash: tunnelEndpoints.previousTokenHash,
      previousValidUntil: tunnelEndpoints.previousTokenValidUntil,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(and(or(inArray(tunnelEndpoints.agentTokenHash, hashes), inArray(tunnelEndpoints.previousTokenHash, hashes)), notInArray(tenants.state, ["offboarding", "offboarded"])));
  return batch.map(({ tokenHash, now }) => {
    const current = rows.find((r) => r.currentHash === tokenHash);
    const previous = current ? undefined : rows.find((r) => r.previousHash === tokenHash && r.previousValidUntil !== null && r.previousValidUntil > now);
    const row = current ?? previous;
    if (!row) return null;
    return { endpointId: row.endpointId, tunnelId: row.tunnelId, tenantId: row.tenantId, side: row.side, tokenUsed: current ? "current" : "previous", tokenHash };
  });
}
