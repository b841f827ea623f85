/**
 * A tunnel's throughput per direction for a chart window, and each end's current rate, from the
 * counters its agents report with every raw sample (lib/telemetry/throughput.ts does the math).
 *
 * Counters live only in raw samples, kept for a week (lib/telemetry/retention.ts); the part of
 * a window older than that has no throughput and the chart says from when it has. The read is
 * bounded: while a chart bucket is one sample interval (an hour or so) every sample in the window
 * is read; for wider buckets only the newest sample of each endpoint in each bucket, found by one
 * index lookup per bucket on the (endpoint, measured_at) key rather than by reading the week.
 * That still spans wraps exactly and shows a restart as a break; it under-counts only a bucket in
 * which an agent restarted and then counted past its old value. At most
 * THROUGHPUT_LIMITS.maxPoints points per line either way (bench/tenant-charts.ts measures it).
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { Side } from "@/lib/domain/tenant-options";
import { forEachInSlices, type SliceOptions } from "@/lib/server/time-slices";
import { RETENTION } from "@/lib/telemetry/retention";
import { epochMs, queryRows, secondsInterval, timeParam } from "@/lib/telemetry/sql";
import { bucketRates, counterIncrease, counterRates, currentRate, type CounterSample, type RateInterval } from "@/lib/telemetry/throughput";

export const THROUGHPUT_LIMITS = {
  /** Points per line: no more than the chart draws unthinned, so an export holds exactly what is drawn. */
  maxPoints: 500,
};

/** A chart point in bits and packets per second, both directions of one end's tunnel interface. */
export type ThroughputPoint = { at: number; txBps: number | null; rxBps: number | null; txPps: number | null; rxPps: number | null };

/** An end's rate over its newest two samples. */
export type EndRate = { from: string; to: string; txBps: number | null; rxBps: number | null; txPps: number | null; rxPps: number | null };

export type TunnelThroughput = {
  bucketMs: number;
  /** Counters are kept from here on; before it the window has no throughput. */
  keptFrom: number;
  series: { side: Side; points: ThroughputPoint[] }[];
  current: Partial<Record<Side, EndRate>>;
};

type Endpoint = { id: string; side: Side };

const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/** Buckets of whole sample intervals, few enough for the chart to draw each one. */
export function throughputBucketMs(spanMs: number, sampleIntervalMs: number): number {
  return sampleIntervalMs * Math.max(1, Math.ceil(spanMs / (sampleIntervalMs * THROUGHPUT_LIMITS.maxPoints)));
}

export async function readTunnelThroughput(
  db: Database,
  endpoints: readonly Endpoint[],
  window: { from: number; to: number },
  options: { now: Date; sampleIntervalMs: number; maxGapMs: number },
): Promise<TunnelThroughput> {
  const keptFrom = options.now.getTime() - RETENTION.rawMs;
  const bucketMs = throughputBucketMs(window.to - window.from, options.sampleIntervalMs);
  const readFrom = Math.max(window.from, keptFrom) - options.maxGapMs; // the interval reaching into the window
  const readBucketMs = bucketMs > options.sampleIntervalMs ? bucketMs : null;
  // The newest two samples of each end give its current rate, whatever the window.
  const ids = endpoints.map((e) => e.id);
  const [windowRows, latestRows] = ids.length === 0 ? [[], []] : await Promise.all([
    window.to > readFrom ? readCounters(db, ids, readFrom, window.to, readBucketMs) : Promise.resolve([]),
    readNewestCounters(db, ids),
  ]);
  const frame = { start: window.from, end: window.to, bucketMs };
  const series = endpoints.map((endpoint) => {
    const rates = counterRates(windowRows.filter((r) => r.endpointId === endpoint.id), { maxGapMs: options.maxGapMs + 2 * (readBucketMs ?? 0) });
    return { side: endpoint.side, points: bucketRates(rates, frame).map(toPoint) };
  });
  const current: Partial<Record<Side, EndRate>> = {};
  for (const endpoint of endpoints) {
    const rates = counterRates(latestRows.filter((r) => r.endpointId === endpoint.id), { maxGapMs: options.maxGapMs });
    const rate = currentRate(rates, options.now.getTime() - options.maxGapMs);
    if (rate) current[endpoint.side] = toEndRate(rate);
  }
  return { bucketMs, keptFrom, series, current };
}

/** An end as the wall shows it now: its newest sample's RTT and its current rate (null when it has none). */
export type CurrentEnd = { rttMs: number | null; rate: EndRate | null };

/**
 * Every end that reported in the last `maxGapMs` (the wall's tiles), from one read of that
 * window: each end's newest sample, for its RTT, and its two newest samples with counters, for
 * its rate. One statement: the two are numbered by the same window over (endpoint, time), which
 * cuts the rows to at most three per end, and its `order by` sorts them once more so that an
 * end's rows come back together and newest first, as readCurrentEnds takes them.
 *
 * The rate is counterRates' over those two samples, worked out here without its general
 * machinery (arrays, sorts, a BigInt per counter): at 10,000 tunnels this runs for 20,000 ends
 * every 5 s on the console's thread, and its garbage was a large part of the wall's refresh
 * (docs/benchmarks.md, "Fleet scale"). tunnel-throughput.test.ts holds it to what the general
 * path answers, wraps and restarts and counters past 2^53 included.
 */
export async function readCurrentEnds(db: Database, options: { now: Date; maxGapMs: number }, slices: SliceOptions = {}): Promise<Map<string, CurrentEnd>> {
  const since = new Date(options.now.getTime() - options.maxGapMs);
  const rows = await queryRows<CurrentEndRow>(db, currentEndsStatement(since));
  const current = new Map<string, CurrentEnd>();
  let endpointId: string | null = null;
  let rttMs: number | null = null;
  let newer: CurrentEndRow | null = null;
  let older: CurrentEndRow | null = null;
  const settle = () => {
    if (endpointId !== null) current.set(endpointId, { rttMs, rate: newer && older ? rateBetween(older, newer, options.maxGapMs, since.getTime()) : null });
  };
  // In slices (lib/server/time-slices.ts): up to three rows per end, 60,000 at 10,000 tunnels.
  await forEachInSlices(
    rows,
    (row) => {
      if (row.endpoint_id !== endpointId) {
        settle();
        endpointId = row.endpoint_id;
        rttMs = null;
        newer = older = null;
      }
      if (Number(row.newest) === 1) rttMs = row.rtt_ms;
      if (!row.counted) return;
      if (newer === null) newer = row;
      else older ??= row;
    },
    slices,
  );
  settle();
  return current;
}

type CurrentEndRow = RawRow & { rtt_ms: number | null; newest: string | number; counted: boolean };

/**
 * currentRate(counterRates([older, newer])) as an EndRate, for two samples of one end, `newer`
 * measured after `older`: null across a gap longer than `maxGapMs`, across a restart, when the
 * two share no counter, or when it ended before `freshAfter`.
 */
function rateBetween(older: RawRow, newer: RawRow, maxGapMs: number, freshAfter: number): EndRate | null {
  const from = Math.round(Number(older.at));
  const to = Math.round(Number(newer.at));
  // counterRates keeps one of two samples at one instant (so no rate), and none across a gap.
  if (to === from || to - from > maxGapMs || to < freshAfter) return null;
  const tx = increase(older.tx_bytes, newer.tx_bytes);
  const rx = increase(older.rx_bytes, newer.rx_bytes);
  const txp = increase(older.tx_packets, newer.tx_packets);
  const rxp = increase(older.rx_packets, newer.rx_packets);
  if (tx === RESTART || rx === RESTART || txp === RESTART || rxp === RESTART) return null;
  if (tx === null && rx === null && txp === null && rxp === null) return null;
  const seconds = (to - from) / 1000;
  return toEndRate({ from, to, run: 0, perSecond: { txBytes: per(tx, seconds), rxBytes: per(rx, seconds), txPackets: per(txp, seconds), rxPackets: per(rxp, seconds) } });
}

const per = (moved: number | null, seconds: number) => (moved === null ? null : moved / seconds);

const RESTART = -1;

/**
 * counterIncrease of two counters as the driver gives them (text), as a number: null when either
 * is missing, RESTART for a restart. In plain numbers while both are exact there and did not go
 * down (every sample but a wrap or a restart); otherwise counterIncrease's BigInts decide.
 */
function increase(before: string | null, after: string | null): number | null {
  if (before === null || after === null) return null;
  const a = Number(before);
  const b = Number(after);
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b >= a) return b - a;
  const moved = counterIncrease(BigInt(before), BigInt(after));
  return moved === "restart" ? RESTART : Number(moved);
}

/** readCurrentEnds' statement (exported for bench/noc-snapshot.ts, which checks its plan). */
export function currentEndsStatement(since: Date): SQL {
  return sql`select endpoint_id, at, rtt_ms, tx_bytes, rx_bytes, tx_packets, rx_packets, newest, counted from (
      select ${COLUMNS}, rtt_ms, ${ANY_COUNTER} as counted,
             row_number() over w as newest,
             count(*) filter (where ${ANY_COUNTER}) over w as counters_since
      from telemetry_samples where measured_at >= ${timeParam(since)}
      window w as (partition by endpoint_id order by measured_at desc)) s
    where newest = 1 or (counted and counters_since <= 2)
    order by endpoint_id, newest`;
}

/** Each end's current rate across a fleet: the part of readCurrentEnds a caller without RTTs needs. */
export async function readCurrentEndRates(db: Database, options: { now: Date; maxGapMs: number }): Promise<Map<string, EndRate>> {
  const current = new Map<string, EndRate>();
  for (const [endpointId, end] of await readCurrentEnds(db, options)) if (end.rate) current.set(endpointId, end.rate);
  return current;
}

function toPoint(p: { at: number; txBytes: number | null; rxBytes: number | null; txPackets: number | null; rxPackets: number | null }): ThroughputPoint {
  return { at: p.at, txBps: round(p.txBytes === null ? null : p.txBytes * 8), rxBps: round(p.rxBytes === null ? null : p.rxBytes * 8), txPps: round(p.txPackets), rxPps: round(p.rxPackets) };
}

function toEndRate(rate: RateInterval): EndRate {
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

type CounterRow = CounterSample & { endpointId: string };
type RawRow = { endpoint_id: string; at: number; tx_bytes: string | null; rx_bytes: string | null; tx_packets: string | null; rx_packets: string | null };

const counter = (value: string | null) => (value === null ? null : BigInt(value));
const toCounterRow = (r: RawRow): CounterRow => ({
  endpointId: r.endpoint_id,
  at: Math.round(Number(r.at)),
  txBytes: counter(r.tx_bytes),
  rxBytes: counter(r.rx_bytes),
  txPackets: counter(r.tx_packets),
  rxPackets: counter(r.rx_packets),
});

// Counters travel as text: a bigint past 2^53 would lose digits as a JSON or JS number.
const COLUMNS = sql`endpoint_id, ${epochMs(sql`measured_at`)} as at, tx_bytes::text as tx_bytes, rx_bytes::text as rx_bytes, tx_packets::text as tx_packets, rx_packets::text as rx_packets`;
const ANY_COUNTER = sql`(tx_bytes is not null or rx_bytes is not null or tx_packets is not null or rx_packets is not null)`;
const idList = (ids: readonly string[]) => sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);

async function readCounters(db: Database, ids: readonly string[], from: number, to: number, bucketMs: number | null): Promise<CounterRow[]> {
  const where = sql`endpoint_id in (${idList(ids)}) and measured_at >= ${timeParam(new Date(from))} and measured_at <= ${timeParam(new Date(to))} and ${ANY_COUNTER}`;
  const rows = await queryRows<RawRow>(
    db,
    bucketMs === null
      ? sql`select ${COLUMNS} from telemetry_samples where ${where} order by endpoint_id, measured_at`
      : // Each bucket (end - width, end]: its newest sample with counters, one index lookup.
        sql`select distinct s.* from tunnel_endpoints e
            cross join (select generate_series(${timeParam(new Date(from + bucketMs))}, ${timeParam(new Date(to))}, ${secondsInterval(bucketMs)}) as bucket_end
                        union select ${timeParam(new Date(to))}) b
            cross join lateral (
              select ${COLUMNS} from telemetry_samples
              where endpoint_id = e.id and measured_at <= b.bucket_end and measured_at > b.bucket_end - ${secondsInterval(bucketMs)} and ${ANY_COUNTER}
              order by measured_at desc limit 1) s
            where e.id in (${idList(ids)})
            order by s.endpoint_id, s.at`,
  );
  return rows.map(toCounterRow);
}

async function readNewestCounters(db: Database, ids: readonly string[]): Promise<CounterRow[]> {
  const rows = await queryRows<RawRow>(
    db,
    sql`select s.* from tunnel_endpoints e cross join lateral (
          select ${COLUMNS} from telemetry_samples
          where endpoint_id = e.id and ${ANY_COUNTER}
          order by measured_at desc limit 2) s
        where e.id in (${idList(ids)})`,
  );
  return rows.map(toCounterRow);
}
