/**
 * The ingest writer as it was before the third fleet-scale round (writeBatches, sampleRow and
 * macReportOf of lib/telemetry/ingest.ts at commit fca3367, its statement's comments left out),
 * kept here only so that bench/ingest-writer.ts can time old and new on the same data in the
 * same run. Not used by the app.
 */
import { sql } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import type { MacReport } from "@/lib/db/schema";
import { epochMs } from "@/lib/telemetry/sql";
import type { TelemetrySample } from "@/lib/validation/telemetry";

type PendingBatch = { agent: AgentPrincipal; samples: TelemetrySample[]; now: Date };
type BatchResult = { accepted: number; duplicates: number };

/** What one endpoint's row learns from the batches of a group: its newest sample, role report and MAC lists. */
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

export async function writeBatchesBefore(db: Database, batches: readonly PendingBatch[]): Promise<BatchResult[]> {
  const rows: ReturnType<typeof sampleRow>[] = [];
  // Each sample's time in milliseconds, per batch, in sample order: parsed once for the row, the
  // endpoint's update and the accepted counts.
  const times: number[][] = [];
  const ends = new Map<string, EndUpdate>();
  for (const { agent, samples, now } of batches) {
    const end = ends.get(agent.endpointId) ?? { id: agent.endpointId, newest: "", token_hash: agent.tokenHash, pair_at: null, pair_role: null, pair_since: null, pair_reason: null, macs_at: null, macs: null };
    // The token of the latest batch of the group is the one the agent uses now.
    end.token_hash = agent.tokenHash;
    const receivedAt = now.toISOString();
    const batchTimes: number[] = [];
    for (const s of samples) {
      // Milliseconds, as a JavaScript Date holds them: a re-send that differs only in
      // sub-millisecond digits is the same sample.
      const ms = Date.parse(s.measuredAt);
      const at = new Date(ms).toISOString();
      batchTimes.push(ms);
      rows.push(sampleRow(agent.endpointId, s, at, receivedAt));
      if (at > end.newest) end.newest = at;
      // The newest sample that says what this end does in its pair: the endpoint keeps that role.
      if (s.pair && (!end.pair_at || at > end.pair_at)) {
        Object.assign(end, { pair_at: at, pair_role: s.pair.role, pair_since: new Date(Date.parse(s.pair.since)).toISOString(), pair_reason: s.pair.reason });
      }
      // Likewise the newest MAC lists (with the gateway probe sent beside them): kept on the
      // endpoint, not per sample, as they are large.
      if (s.macs && (!end.macs_at || at > end.macs_at)) Object.assign(end, { macs_at: at, macs: macReportOf(s) });
    }
    ends.set(agent.endpointId, end);
    times.push(batchTimes);
  }
  const result = (await db.execute(sql`
    with inserted as (
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, path,
                                     tx_bytes, rx_bytes, tx_packets, rx_packets, bum_pps, learned_macs, pair_role, pair_since, pair_reason)
      select r.endpoint_id, r.measured_at, r.received_at, r.rtt_ms, r.jitter_ms, r.loss_pct, r.df_probe_bytes, r.df_probe_ok, r.path,
             r.tx_bytes, r.rx_bytes, r.tx_packets, r.rx_packets, r.bum_pps, r.learned_macs, r.pair_role::pair_end_role, r.pair_since, r.pair_reason
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(
        endpoint_id uuid, measured_at timestamptz, received_at timestamptz, rtt_ms float8, jitter_ms float8, loss_pct float8, df_probe_bytes integer, df_probe_ok boolean, path jsonb,
        tx_bytes bigint, rx_bytes bigint, tx_packets bigint, rx_packets bigint, bum_pps float8, learned_macs integer,
        pair_role text, pair_since timestamptz, pair_reason text)
      on conflict do nothing
      returning endpoint_id, measured_at, ${epochMs(sql`measured_at`)} as at
    ), news as (
      select endpoint_id, min(measured_at) as first from inserted group by endpoint_id
    ), ends as (
      select * from json_to_recordset(${JSON.stringify([...ends.values()])}::json) as e(
        id uuid, newest timestamptz, token_hash text, pair_at timestamptz, pair_role text, pair_since timestamptz, pair_reason text, macs_at timestamptz, macs jsonb)
    ), locked as (
      select t.id from tunnel_endpoints t where t.id in (select id from ends) order by t.id for no key update
    ), touched as (
      update tunnel_endpoints t set
        last_sample_at = greatest(t.last_sample_at, e.newest),
        last_token_hash = e.token_hash,
        pair_role = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_role::pair_end_role else t.pair_role end,
        pair_since = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_since else t.pair_since end,
        pair_reason = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_reason else t.pair_reason end,
        pair_reported_at = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_at else t.pair_reported_at end,
        samples_seq = t.samples_seq + case when n.endpoint_id is not null then 1 else 0 end,
        late_seq = case when n.first <= t.last_sample_at then t.samples_seq + 1 else t.late_seq end,
        mac_report = case when e.macs_at is not null and (t.mac_reported_at is null or t.mac_reported_at < e.macs_at) then e.macs else t.mac_report end,
        mac_reported_at = case when e.macs_at is not null and (t.mac_reported_at is null or t.mac_reported_at < e.macs_at) then e.macs_at else t.mac_reported_at end
      from locked l join ends e on e.id = l.id left join news n on n.endpoint_id = e.id
      where t.id = l.id
    )
    select endpoint_id, at from inserted`)) as unknown as { rows: { endpoint_id: string; at: number | string }[] };
  // Which batch stored which sample: a sample sent twice in one group counts for the first batch.
  const stored = new Set(result.rows.map((r) => `${r.endpoint_id}|${Number(r.at)}`));
  return batches.map(({ agent, samples }, b) => {
    let accepted = 0;
    for (const ms of times[b]!) if (stored.delete(`${agent.endpointId}|${ms}`)) accepted += 1;
    return { accepted, duplicates: samples.length - accepted };
  });
}

function sampleRow(endpointId: string, s: TelemetrySample, measuredAt: string, receivedAt: string) {
  return {
    endpoint_id: endpointId,
    measured_at: measuredAt,
    received_at: receivedAt,
    rtt_ms: s.rttMs ?? null,
    jitter_ms: s.jitterMs ?? null,
    loss_pct: s.lossPct ?? null,
    df_probe_bytes: s.dfProbe?.bytes ?? null,
    df_probe_ok: s.dfProbe?.ok ?? null,
    path: s.path ?? null,
    tx_bytes: s.counters?.txBytes ?? null,
    rx_bytes: s.counters?.rxBytes ?? null,
    tx_packets: s.counters?.txPackets ?? null,
    rx_packets: s.counters?.rxPackets ?? null,
    bum_pps: s.bumPps ?? null,
    learned_macs: s.learnedMacs ?? null,
    pair_role: s.pair?.role ?? null,
    pair_since: s.pair ? new Date(Date.parse(s.pair.since)).toISOString() : null,
    pair_reason: s.pair?.reason ?? null,
  };
}

/** What the endpoint keeps of a sample's MAC lists and gateway probe (sorted, so a report reads the same each time). */
function macReportOf(sample: TelemetrySample): MacReport {
  return {
    local: [...(sample.macs?.local ?? [])].sort(),
    tunnel: [...(sample.macs?.tunnel ?? [])].sort(),
    truncated: sample.macs?.truncated ?? false,
    gatewayProbe: sample.gatewayProbe ? { address: sample.gatewayProbe.address, answeredBy: [...new Set(sample.gatewayProbe.answeredBy)].sort() } : null,
  };
}
