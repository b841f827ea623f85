/**
 * The agent look-up and the group statement's parameters as they were before the fourth
 * fleet-scale round (findAgents of lib/auth/agent.ts and the parameter half of writeBatches of
 * lib/telemetry/ingest.ts at commit e84f2d1), kept here only so that bench/post-cost.ts can run
 * old and new on the same posts in the same run. Not used by the app.
 */
import { and, eq, inArray, notInArray, or } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels, type MacReport } from "@/lib/db/schema";
import type { TelemetrySample } from "@/lib/validation/telemetry";

type Lookup = { tokenHash: string; now: Date };
type EndpointOfToken = Omit<AgentPrincipal, "tokenUsed" | "tokenHash"> & { currentHash: string | null; previousHash: string | null; previousValidUntil: Date | null };

export async function findAgentsBefore(db: Database, batch: readonly Lookup[]): Promise<(AgentPrincipal | null)[]> {
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

type PendingBatch = { agent: AgentPrincipal; samples: TelemetrySample[]; now: Date };
type EndUpdate = {
  id: string;
  newest: string;
  token_hash: string;
  pair_at: string | null;
  pair_role: string | null;
  pair_since: string | null;
  pair_reason: string | null;
  macs_at: string | null;
  macs: MacReport | null;
};

export function groupParametersBefore(batches: readonly PendingBatch[]): { samplesJson: string; endsJson: string } {
  const rows: ReturnType<typeof sampleRow>[] = [];
  const ends = new Map<string, EndUpdate>();
  for (const [batch, { agent, samples, now }] of batches.entries()) {
    const end = ends.get(agent.endpointId) ?? { id: agent.endpointId, newest: "", token_hash: agent.tokenHash, pair_at: null, pair_role: null, pair_since: null, pair_reason: null, macs_at: null, macs: null };
    end.token_hash = agent.tokenHash;
    const receivedAt = now.toISOString();
    for (const s of samples) {
      const ms = Date.parse(s.measuredAt);
      const at = new Date(ms).toISOString();
      rows.push(sampleRow(batch, agent.endpointId, s, at, receivedAt));
      if (at > end.newest) end.newest = at;
      if (s.pair && (!end.pair_at || at > end.pair_at)) {
        Object.assign(end, { pair_at: at, pair_role: s.pair.role, pair_since: new Date(Date.parse(s.pair.since)).toISOString(), pair_reason: s.pair.reason });
      }
      if (s.macs && (!end.macs_at || at > end.macs_at)) Object.assign(end, { macs_at: at, macs: macReportOf(s) });
    }
    ends.set(agent.endpointId, end);
  }
  return { samplesJson: JSON.stringify(rows), endsJson: JSON.stringify([...ends.values()]) };
}

function sampleRow(batch: number, endpointId: string, s: TelemetrySample, measuredAt: string, receivedAt: string) {
  return {
    b: batch,
    e: endpointId,
    m: measuredAt,
    r: receivedAt,
    rtt: s.rttMs,
    jit: s.jitterMs,
    loss: s.lossPct,
    dfb: s.dfProbe?.bytes,
    dfok: s.dfProbe?.ok,
    path: s.path,
    txb: s.counters?.txBytes,
    rxb: s.counters?.rxBytes,
    txp: s.counters?.txPackets,
    rxp: s.counters?.rxPackets,
    bum: s.bumPps,
    macs: s.learnedMacs,
    pr: s.pair?.role,
    ps: s.pair ? new Date(Date.parse(s.pair.since)).toISOString() : undefined,
    pre: s.pair?.reason,
  };
}

function macReportOf(sample: TelemetrySample): MacReport {
  return {
    local: [...(sample.macs?.local ?? [])].sort(),
    tunnel: [...(sample.macs?.tunnel ?? [])].sort(),
    truncated: sample.macs?.truncated ?? false,
    gatewayProbe: sample.gatewayProbe ? { address: sample.gatewayProbe.address, answeredBy: [...new Set(sample.gatewayProbe.answeredBy)].sort() } : null,
  };
}
