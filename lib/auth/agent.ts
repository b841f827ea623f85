import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
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
/** A row of findAgents' statement; the grace window's end in epoch milliseconds (float8), no Date made per row. */
type EndpointOfToken = Omit<AgentPrincipal, "tokenUsed" | "tokenHash"> & { currentHash: string | null; previousHash: string | null; previousValidUntilMs: number | null };
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

/**
 * The endpoints a group's tokens belong to, as the database sends them: one statement whose text
 * does not change with the group's size (the hashes go as one array parameter), and rows read as
 * they come rather than mapped column by column. The group is up to 500 lookups; each is matched
 * through a map by hash, not by a walk over the rows. Exported for bench/post-cost.ts.
 */
export async function findAgents(db: Database, batch: readonly Lookup[]): Promise<(AgentPrincipal | null)[]> {
  const hashes = [...new Set(batch.map((l) => l.tokenHash))];
  const { rows } = (await db.execute(sql`
    select e.id as "endpointId", e.tunnel_id as "tunnelId", t.tenant_id as "tenantId", e.side,
           e.agent_token_hash as "currentHash", e.previous_token_hash as "previousHash",
           (extract(epoch from e.previous_token_valid_until) * 1000)::float8 as "previousValidUntilMs"
    from tunnel_endpoints e
    join tunnels t on t.id = e.tunnel_id
    join tenants n on n.id = t.tenant_id
    where (e.agent_token_hash = any(${sql.param(hashes)}::text[]) or e.previous_token_hash = any(${sql.param(hashes)}::text[]))
      and n.state not in ('offboarding', 'offboarded')`)) as unknown as { rows: EndpointOfToken[] };
  const byCurrent = new Map<string, EndpointOfToken>();
  const byPrevious = new Map<string, EndpointOfToken>();
  for (const row of rows) {
    if (row.currentHash !== null) byCurrent.set(row.currentHash, row);
    if (row.previousHash !== null) byPrevious.set(row.previousHash, row);
  }
  return batch.map(({ tokenHash, now }) => {
    const current = byCurrent.get(tokenHash);
    // The previous token only while its grace window lasts, judged at this caller's own clock.
    const previous = current ? undefined : byPrevious.get(tokenHash);
    const row = current ?? (previous && previous.previousValidUntilMs !== null && previous.previousValidUntilMs > now.getTime() ? previous : undefined);
    if (!row) return null;
    return { endpointId: row.endpointId, tunnelId: row.tunnelId, tenantId: row.tenantId, side: row.side, tokenUsed: current ? "current" : "previous", tokenHash };
  });
}
