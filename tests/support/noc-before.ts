/**
 * The wall's two reads of the last 90 s as they were before readCurrentEnds
 * (lib/queries/tunnel-throughput.ts) folded them into one: each end's newest RTT by DISTINCT ON,
 * and each end's current rate from its two newest samples with counters. The test that the
 * folded read answers the same, and bench/noc-snapshot.ts, which times both in one run, use it.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { CurrentEnd, EndRate } from "@/lib/queries/tunnel-throughput";
import { epochMs, queryRows, timeParam } from "@/lib/telemetry/sql";
import { counterRates, currentRate, type CounterSample, type RateInterval } from "@/lib/telemetry/throughput";

type RawRow = { endpoint_id: string; at: number; tx_bytes: string | null; rx_bytes: string | null; tx_packets: string | null; rx_packets: string | null };

const COLUMNS = sql`endpoint_id, ${epochMs(sql`measured_at`)} as at, tx_bytes::text as tx_bytes, rx_bytes::text as rx_bytes, tx_packets::text as tx_packets, rx_packets::text as rx_packets`;
const ANY_COUNTER = sql`(tx_bytes is not null or rx_bytes is not null or tx_packets is not null or rx_packets is not null)`;
/** Shared with tests/support/noc-snapshot-before.ts, which took rates in the same way. */
export const counter = (value: string | null) => (value === null ? null : BigInt(value));
const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

export function toEndRate(rate: RateInterval): EndRate {
  const { txBytes, rxBytes, txPackets, rxPackets } = rate.perSecond;
  return {
    from: new Date(rate.from).toISOString(),
    to: new Date(rate.to).toISOString(),
    txBps: round(txBytes === null ? null : txBytes * 8),
    rxBps: round(rxBytes === null ? null : rxBytes * 8),
    txPps: round(txPackets),
    rxPps: round(rxPackets),
  };
}

export const newestRttsStatementBefore = (since: Date): SQL =>
  sql`select distinct on (endpoint_id) endpoint_id, ${epochMs(sql`measured_at`)} as at, rtt_ms from telemetry_samples
      where measured_at >= ${timeParam(since)}
      order by endpoint_id, measured_at desc`;

export const endRatesStatementBefore = (since: Date): SQL =>
  sql`select endpoint_id, at, tx_bytes, rx_bytes, tx_packets, rx_packets from (
        select ${COLUMNS}, row_number() over (partition by endpoint_id order by measured_at desc) as newest
        from telemetry_samples where measured_at >= ${timeParam(since)} and ${ANY_COUNTER}) s
      where newest <= 2`;

/** The newest RTT of every end that reported since `now - maxGapMs` (the old DISTINCT ON read). */
export async function readNewestRttsBefore(db: Database, options: { now: Date; maxGapMs: number }): Promise<Map<string, number | null>> {
  const rows = await queryRows<{ endpoint_id: string; at: number; rtt_ms: number | null }>(db, newestRttsStatementBefore(new Date(options.now.getTime() - options.maxGapMs)));
  return new Map(rows.map((r) => [r.endpoint_id, r.rtt_ms]));
}

/** Each end's current rate (the old readCurrentEndRates, a read of its own). */
export async function readCurrentEndRatesBefore(db: Database, options: { now: Date; maxGapMs: number }): Promise<Map<string, EndRate>> {
  const since = new Date(options.now.getTime() - options.maxGapMs);
  const rows = await queryRows<RawRow>(db, endRatesStatementBefore(since));
  const byEnd = new Map<string, (CounterSample & { endpointId: string })[]>();
  for (const r of rows) {
    const sample = { endpointId: r.endpoint_id, at: Math.round(Number(r.at)), txBytes: counter(r.tx_bytes), rxBytes: counter(r.rx_bytes), txPackets: counter(r.tx_packets), rxPackets: counter(r.rx_packets) };
    byEnd.set(r.endpoint_id, [...(byEnd.get(r.endpoint_id) ?? []), sample]);
  }
  const current = new Map<string, EndRate>();
  for (const [endpointId, samples] of byEnd) {
    samples.sort((a, b) => a.at - b.at);
    const rate = currentRate(counterRates(samples, { maxGapMs: options.maxGapMs }), since.getTime());
    if (rate) current.set(endpointId, toEndRate(rate));
  }
  return current;
}

/** Both old reads, shaped as readCurrentEnds answers. */
export async function readCurrentEndsBefore(db: Database, options: { now: Date; maxGapMs: number }): Promise<Map<string, CurrentEnd>> {
  const [rtts, rates] = await Promise.all([readNewestRttsBefore(db, options), readCurrentEndRatesBefore(db, options)]);
  return new Map([...rtts].map(([endpointId, rttMs]) => [endpointId, { rttMs, rate: rates.get(endpointId) ?? null }]));
}
