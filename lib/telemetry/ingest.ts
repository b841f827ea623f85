/**
 * Stores an agent's samples. A sample is identified by (endpoint, measuredAt), so an agent that
 * re-sends after a timeout does not count anything twice; the batch is stored all or nothing.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import type { MacReport } from "@/lib/db/schema";
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

/**
 * One statement per batch: the rows travel as a single JSON parameter that PostgreSQL unpacks
 * with json_to_recordset, and the endpoint's last-sample time (and which of its tokens the agent
 * used) is moved in the same statement (a data-modifying CTE), which makes it all-or-nothing
 * without a transaction; so is the bump of the endpoint's `samples_seq`, the warning
 * evaluation's sign that this end has news. A batch of 200
 * as ordinary parameters is 2,800 values for drizzle and the driver to bind one by one, plus
 * three more round trips for the transaction: on PGlite that was over half the cost of a
 * request (bench/ingest.ts: about 2.5× fewer µs per sample this way).
 */
export async function ingestSamples(db: Database, agent: AgentPrincipal, samples: TelemetrySample[], now = new Date()): Promise<IngestResult> {
  const fields = checkSampleTimes(samples, now);
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  if (samples.length === 0) return { ok: true, accepted: 0, duplicates: 0 };

  let newest = -Infinity;
  // The newest sample that says what this end does in its pair: the endpoint keeps that role.
  let newestPair: { at: number; role: string; since: string; reason: string } | null = null;
  // Likewise the newest MAC lists (with the gateway probe sent beside them): kept on the endpoint,
  // not per sample, as they are large. A probe without lists says too little about where things are.
  let newestMacs: { at: number; report: MacReport } | null = null;
  const rows = samples.map((s) => {
    // Milliseconds, as a JavaScript Date holds them: a re-send that differs only in
    // sub-millisecond digits is the same sample.
    const at = Date.parse(s.measuredAt);
    if (at > newest) newest = at;
    if (s.pair && (!newestPair || at > newestPair.at)) newestPair = { at, role: s.pair.role, since: new Date(Date.parse(s.pair.since)).toISOString(), reason: s.pair.reason };
    if (s.macs && (!newestMacs || at > newestMacs.at)) newestMacs = { at, report: macReportOf(s) };
    return {
      measured_at: new Date(at).toISOString(),
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
  });
  const pair = newestPair as { at: number; role: string; since: string; reason: string } | null;
  const pairAt = pair ? new Date(pair.at).toISOString() : null;
  const newerPair = pair ? sql`(pair_reported_at is null or pair_reported_at < ${pairAt}::timestamptz)` : sql`false`;
  const macs = newestMacs as { at: number; report: MacReport } | null;
  const macsAt = macs ? new Date(macs.at).toISOString() : null;
  const newerMacs = macs ? sql`(mac_reported_at is null or mac_reported_at < ${macsAt}::timestamptz)` : sql`false`;
  const result = (await db.execute(sql`
    with inserted as (
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, path,
                                     tx_bytes, rx_bytes, tx_packets, rx_packets, bum_pps, learned_macs, pair_role, pair_since, pair_reason)
      select ${agent.endpointId}::uuid, r.measured_at, ${now.toISOString()}::timestamptz, r.rtt_ms, r.jitter_ms, r.loss_pct, r.df_probe_bytes, r.df_probe_ok, r.path,
             r.tx_bytes, r.rx_bytes, r.tx_packets, r.rx_packets, r.bum_pps, r.learned_macs, r.pair_role::pair_end_role, r.pair_since, r.pair_reason
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(
        measured_at timestamptz, rtt_ms float8, jitter_ms float8, loss_pct float8, df_probe_bytes integer, df_probe_ok boolean, path jsonb,
        tx_bytes bigint, rx_bytes bigint, tx_packets bigint, rx_packets bigint, bum_pps float8, learned_macs integer,
        pair_role text, pair_since timestamptz, pair_reason text)
      on conflict do nothing
      returning measured_at
    ), touched as (
      -- The role moves only forward in time: a spooled backlog delivered late does not undo a newer report.
      -- samples_seq moves only when something new was stored: the warning evaluation takes it for
      -- news (lib/telemetry/evaluation/due.ts); late_seq moves when the news is not only the newest
      -- (lib/telemetry/evaluation/sample-windows.ts). A batch of re-sends moves neither.
      update tunnel_endpoints set
        last_sample_at = greatest(last_sample_at, ${new Date(newest).toISOString()}::timestamptz),
        last_token_hash = ${agent.tokenHash},
        pair_role = case when ${newerPair} then ${pair?.role ?? null}::pair_end_role else pair_role end,
        pair_since = case when ${newerPair} then ${pair?.since ?? null}::timestamptz else pair_since end,
        pair_reason = case when ${newerPair} then ${pair?.reason ?? null}::text else pair_reason end,
        pair_reported_at = case when ${newerPair} then ${pairAt}::timestamptz else pair_reported_at end,
        samples_seq = samples_seq + case when exists (select from inserted) then 1 else 0 end,
        late_seq = case when (select min(measured_at) from inserted) <= last_sample_at then samples_seq + 1 else late_seq end,
        mac_report = case when ${newerMacs} then ${macs ? JSON.stringify(macs.report) : null}::jsonb else mac_report end,
        mac_reported_at = case when ${newerMacs} then ${macsAt}::timestamptz else mac_reported_at end
      where id = ${agent.endpointId}::uuid
    )
    select count(*)::integer as accepted from inserted`)) as unknown as { rows: { accepted: number }[] };
  const accepted = Number(result.rows[0]?.accepted ?? 0);
  return { ok: true, accepted, duplicates: rows.length - accepted };
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
