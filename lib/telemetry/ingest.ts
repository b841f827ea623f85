/**
 * Stores an agent's samples. A sample is identified by (endpoint, measuredAt), so an agent that
 * re-sends after a timeout does not count anything twice; the batch is stored all or nothing.
 */
import { eq, sql } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tunnelEndpoints } from "@/lib/db/schema";
import { MAX_CLOCK_SKEW_MS, MAX_SAMPLE_AGE_MS, type TelemetrySample } from "@/lib/validation/telemetry";

export type IngestResult =
  | { ok: true; accepted: number; duplicates: number }
  | { ok: false; fields: Record<string, string[]> };

/** Times outside the window are refused by field, before anything is written. */
export function checkSampleTimes(samples: TelemetrySample[], now: Date): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  samples.forEach((sample, index) => {
    const at = Date.parse(sample.measuredAt);
    if (at > now.getTime() + MAX_CLOCK_SKEW_MS) fields[`samples.${index}.measuredAt`] = ["More than 5 minutes in the future: check the agent's clock (NTP)."];
    else if (at < now.getTime() - MAX_SAMPLE_AGE_MS) fields[`samples.${index}.measuredAt`] = ["Older than the 7-day raw retention: it would be deleted at once."];
  });
  return fields;
}

export async function ingestSamples(db: Database, agent: AgentPrincipal, samples: TelemetrySample[], now = new Date()): Promise<IngestResult> {
  const fields = checkSampleTimes(samples, now);
  if (Object.keys(fields).length > 0) return { ok: false, fields };

  const rows = samples.map((s) => ({
    endpointId: agent.endpointId,
    measuredAt: new Date(s.measuredAt),
    receivedAt: now,
    rttMs: s.rttMs ?? null,
    jitterMs: s.jitterMs ?? null,
    lossPct: s.lossPct ?? null,
    dfProbeBytes: s.dfProbe?.bytes ?? null,
    dfProbeOk: s.dfProbe?.ok ?? null,
    path: s.path ?? null,
    txBytes: s.counters?.txBytes ?? null,
    rxBytes: s.counters?.rxBytes ?? null,
    txPackets: s.counters?.txPackets ?? null,
    rxPackets: s.counters?.rxPackets ?? null,
    bumPps: s.bumPps ?? null,
    learnedMacs: s.learnedMacs ?? null,
  }));
  const newest = new Date(Math.max(...rows.map((r) => r.measuredAt.getTime())));
  const accepted = await db.transaction(async (tx) => {
    const inserted = await tx.insert(telemetrySamples).values(rows).onConflictDoNothing().returning({ measuredAt: telemetrySamples.measuredAt });
    await tx
      .update(tunnelEndpoints)
      .set({ lastSampleAt: sql`greatest(${tunnelEndpoints.lastSampleAt}, ${newest})` })
      .where(eq(tunnelEndpoints.id, agent.endpointId));
    return inserted.length;
  });
  return { ok: true, accepted, duplicates: rows.length - accepted };
}
