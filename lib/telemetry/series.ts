/**
 * Reads for charts and wall displays. Each picks the coarsest data that still draws well, so a
 * read costs about the same for an hour as for a month, and each is one statement whatever the
 * number of tunnels.
 *
 * Resolution for a chart of span S starting at `from` (aim: at most ~1500 points per series,
 * about one per pixel of a wide chart):
 *   S ≤ 2 h  and raw still kept       → raw samples, as measured (an agent sampling every 5 s
 *                                        or slower gives ≤ 1440 points)
 *   S ≤ 48 h and 1-minute still kept  → 1-minute roll-ups (24 h = 1440 points)
 *   otherwise                         → 1-hour roll-ups (7 d = 168, 30 d = 720 points)
 * Where a span would exceed the aim (48 h of minutes, a year of hours), neighbouring buckets
 * are merged into wider ones of a whole number of the resolution, weighted by sample counts.
 */
import "server-only";
import { and, asc, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tunnelEndpoints } from "@/lib/db/schema";
import { RETENTION } from "./retention";
import { WATERMARK } from "./rollup";
import { BUCKET_ORIGIN, epochMs, floorToMinute, queryRows, secondsInterval, timeParam } from "./sql";
import type { Side } from "@/lib/domain/tenant-options";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export const SERIES_LIMITS = {
  maxPoints: 1_500,
  rawUpToMs: 2 * HOUR_MS,
  minuteUpToMs: 48 * HOUR_MS,
  /** Longer than the 1-hour roll-ups are kept would only draw an empty chart. */
  maxRangeMs: RETENTION.hourMs,
  /** A chart compares a few endpoints (a tenant's two tunnels, both ends); more is a mistake. */
  maxEndpoints: 16,
};

export type Resolution = "raw" | "1m" | "1h";

export type ChartPoint = {
  at: Date;
  rttMs: number | null;
  rttMin: number | null;
  rttMax: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  samples: number;
};

export type EndpointSeries = { endpointId: string; tunnelId: string; side: Side; points: ChartPoint[] };

export type ChartSeries = {
  resolution: Resolution;
  /** Width of each point's bucket; null for raw samples, one point per measurement. */
  bucketMs: number | null;
  from: Date;
  to: Date;
  series: EndpointSeries[];
};

/** Which data a chart of [from, to] reads, and how wide its buckets are. Pure: unit-tested. */
export function chooseResolution(range: { from: Date; to: Date; now: Date }): { resolution: Resolution; bucketMs: number | null } {
  const span = range.to.getTime() - range.from.getTime();
  const age = range.now.getTime() - range.from.getTime();
  if (span <= SERIES_LIMITS.rawUpToMs && age <= RETENTION.rawMs) return { resolution: "raw", bucketMs: null };
  const stride = (resolutionMs: number) => resolutionMs * Math.max(1, Math.ceil(span / (resolutionMs * SERIES_LIMITS.maxPoints)));
  if (span <= SERIES_LIMITS.minuteUpToMs && age <= RETENTION.minuteMs) return { resolution: "1m", bucketMs: stride(MINUTE_MS) };
  return { resolution: "1h", bucketMs: stride(HOUR_MS) };
}

const uuid = z.uuid("Use an id as the console shows it (a UUID).");
const seriesQuery = z
  .object({
    endpointIds: z.array(uuid).min(1, "Name at least one endpoint.").max(SERIES_LIMITS.maxEndpoints, `At most ${SERIES_LIMITS.maxEndpoints} endpoints per chart.`).optional(),
    tunnelId: uuid.optional(),
    from: z.date({ error: "from must be a valid time." }),
    to: z.date({ error: "to must be a valid time." }),
    now: z.date({ error: "now must be a valid time." }),
  })
  .refine((q) => (q.endpointIds === undefined) !== (q.tunnelId === undefined), { message: "Give either tunnelId or endpointIds, not both and not neither." })
  .refine((q) => q.from < q.to, { message: "from must be before to.", path: ["from"] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= SERIES_LIMITS.maxRangeMs, {
    message: `The range may span at most ${SERIES_LIMITS.maxRangeMs / (24 * HOUR_MS)} days, as long as hourly history is kept.`,
    path: ["from"],
  });

export type SeriesQuery = { from: Date; to: Date; now: Date } & ({ tunnelId: string; endpointIds?: undefined } | { endpointIds: string[]; tunnelId?: undefined });

/**
 * The latency, jitter and loss series of a tunnel's two ends (or of the endpoints named), each
 * sorted by time, every point inside [from, to]. Endpoints with no data get an empty series; an
 * unknown id is left out (authorisation is the caller's: check the tenant before calling).
 * Throws a RangeError naming what to fix for a bad query.
 */
export async function chartSeries(db: Database, query: SeriesQuery): Promise<ChartSeries> {
  const parsed = seriesQuery.safeParse(query);
  if (!parsed.success) throw new RangeError(parsed.error.issues.map((issue) => issue.message).join(" "));
  const { from, to, now } = parsed.data;
  const endpoints = await db
    .select({ endpointId: tunnelEndpoints.id, tunnelId: tunnelEndpoints.tunnelId, side: tunnelEndpoints.side })
    .from(tunnelEndpoints)
    .where(parsed.data.tunnelId ? eq(tunnelEndpoints.tunnelId, parsed.data.tunnelId) : inArray(tunnelEndpoints.id, parsed.data.endpointIds!))
    .orderBy(asc(tunnelEndpoints.tunnelId), asc(tunnelEndpoints.side));
  const { resolution, bucketMs } = chooseResolution({ from, to, now });
  const ids = endpoints.map((e) => e.endpointId);
  const points = ids.length === 0 ? [] : resolution === "raw" ? await rawPoints(db, ids, from, to) : await rollupPoints(db, ids, resolution, bucketMs!, from, to);
  const byEndpoint = new Map<string, ChartPoint[]>(ids.map((id) => [id, []]));
  for (const { endpointId, ...point } of points) byEndpoint.get(endpointId)?.push(point);
  return { resolution, bucketMs, from, to, series: endpoints.map((e) => ({ ...e, points: byEndpoint.get(e.endpointId) ?? [] })) };
}

async function rawPoints(db: Database, ids: string[], from: Date, to: Date): Promise<(ChartPoint & { endpointId: string })[]> {
  const rows = await db
    .select({ endpointId: telemetrySamples.endpointId, at: telemetrySamples.measuredAt, rttMs: telemetrySamples.rttMs, jitterMs: telemetrySamples.jitterMs, lossPct: telemetrySamples.lossPct })
    .from(telemetrySamples)
    .where(and(inArray(telemetrySamples.endpointId, ids), gte(telemetrySamples.measuredAt, from), lte(telemetrySamples.measuredAt, to)))
    .orderBy(asc(telemetrySamples.endpointId), asc(telemetrySamples.measuredAt));
  return rows.map((r) => ({ ...r, rttMin: r.rttMs, rttMax: r.rttMs, samples: 1 }));
}

async function rollupPoints(db: Database, ids: string[], resolution: "1m" | "1h", bucketMs: number, from: Date, to: Date) {
  // Buckets are counted from the first whole bucket at or after `from`, so none starts before it.
  const step = resolution === "1m" ? MINUTE_MS : HOUR_MS;
  const start = new Date(Math.ceil(from.getTime() / step) * step);
  const rows = await queryRows<{
    endpoint_id: string;
    at: number;
    samples: number;
    rtt: number | null;
    rtt_min: number | null;
    rtt_max: number | null;
    jitter: number | null;
    loss: number | null;
  }>(
    db,
    sql`
      select endpoint_id, ${epochMs(sql`date_bin(${secondsInterval(bucketMs)}, bucket_start, ${timeParam(start)})`)} as at,
        sum(samples)::int as samples,
        sum(rtt_avg_ms * rtt_samples) / nullif(sum(rtt_samples), 0) as rtt,
        min(rtt_min_ms) as rtt_min, max(rtt_max_ms) as rtt_max,
        sum(jitter_avg_ms * jitter_samples) / nullif(sum(jitter_samples), 0) as jitter,
        sum(loss_avg_pct * loss_samples) / nullif(sum(loss_samples), 0) as loss
      from telemetry_rollups
      where endpoint_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
        and resolution = ${resolution}::rollup_resolution
        and bucket_start >= ${timeParam(start)} and bucket_start <= ${timeParam(to)}
      group by 1, 2
      order by 1, 2`,
  );
  return rows.map((r) => ({
    endpointId: r.endpoint_id,
    at: new Date(Math.round(r.at)),
    rttMs: r.rtt,
    rttMin: r.rtt_min,
    rttMax: r.rtt_max,
    jitterMs: r.jitter,
    lossPct: r.loss,
    samples: r.samples,
  }));
}

export type LatestSample = typeof telemetrySamples.$inferSelect;

/**
 * The newest raw sample of each endpoint, in one statement: a lateral join takes one row per
 * endpoint off the (endpoint_id, measured_at) key, so it costs the same with a week of history
 * as with a minute. Without ids: every endpoint. Endpoints without samples are absent.
 */
export async function latestByEndpoint(db: Database, endpointIds?: string[]): Promise<Map<string, LatestSample>> {
  if (endpointIds) {
    const bad = endpointIds.find((id) => !uuid.safeParse(id).success);
    if (bad !== undefined) throw new RangeError(`Not an endpoint id: ${JSON.stringify(bad).slice(0, 60)}. Use the endpoint's UUID.`);
    if (endpointIds.length === 0) return new Map();
  }
  const latest = db
    .select()
    .from(telemetrySamples)
    .where(eq(telemetrySamples.endpointId, tunnelEndpoints.id))
    .orderBy(desc(telemetrySamples.measuredAt))
    .limit(1)
    .as("latest");
  const rows = await db
    .select()
    .from(tunnelEndpoints)
    .innerJoinLateral(latest, sql`true`)
    .where(endpointIds ? inArray(tunnelEndpoints.id, endpointIds) : undefined);
  return new Map(rows.map(({ latest: sample }) => [sample.endpointId, sample]));
}

export type SparklinePoint = { at: Date; rttMs: number | null };
export type TunnelSparkline = { tunnelId: string; points: SparklinePoint[] };
/** The buckets every tunnel's series is laid on: `buckets` of `bucketMs` from `start`. */
export type SparklineFrame = { start: Date; bucketMs: number; buckets: number };
export type Sparklines = SparklineFrame & { tunnels: TunnelSparkline[] };

/** A series as one value per bucket of the frame, null where there is none (a gap to draw). */
export function sparklineValues(points: readonly SparklinePoint[], frame: SparklineFrame): (number | null)[] {
  const values: (number | null)[] = new Array(frame.buckets).fill(null);
  for (const point of points) {
    const index = Math.round((point.at.getTime() - frame.start.getTime()) / frame.bucketMs);
    if (index >= 0 && index < frame.buckets) values[index] = point.rttMs;
  }
  return values;
}

/**
 * The buckets a wall's series are laid on for a window: at most `points` buckets of whole
 * minutes, the last one the current (partial) minute, each starting after `since`. Throws a
 * RangeError naming what to fix for a window that is not one.
 */
export function sparklineFrame(options: { since: Date; now: Date; points?: number }): SparklineFrame {
  const { since, now } = options;
  const points = options.points ?? 60;
  if (!(since instanceof Date) || Number.isNaN(since.getTime()) || !(now instanceof Date) || Number.isNaN(now.getTime()) || since >= now) {
    throw new RangeError("since must be a valid time before now.");
  }
  if (!Number.isInteger(points) || points < 1 || points > SERIES_LIMITS.maxPoints) {
    throw new RangeError(`points must be a whole number from 1 to ${SERIES_LIMITS.maxPoints}.`);
  }
  const span = now.getTime() - since.getTime();
  const bucketMs = MINUTE_MS * Math.max(1, Math.ceil(span / MINUTE_MS / points));
  // Buckets are laid back from the current minute; the first is the earliest starting after since.
  const origin = floorToMinute(now).getTime();
  const start = new Date(origin - Math.max(0, Math.ceil((origin - since.getTime()) / bucketMs) - 1) * bucketMs);
  return { start, bucketMs, buckets: Math.round((origin - start.getTime()) / bucketMs) + 1 };
}

/**
 * A short RTT series for every tunnel of every tenant not offboarded, in one statement, for a
 * wall of small charts. At most `points` buckets of whole minutes, the last one the current
 * (partial) minute, each starting after `since`; each averages both ends of the tunnel (they
 * measure the same round trip), weighted by samples.
 * Minutes the 1-minute roll-up has read come from it; the rest (the current minute, and any the
 * job has not reached yet) from raw samples. A tunnel without data has an empty series; a
 * bucket whose samples carried no RTT (the far end unreachable) has rttMs null.
 */
export async function sparklines(db: Database, options: { since: Date; now: Date; points?: number }): Promise<Sparklines> {
  const { now } = options;
  const { start, bucketMs, buckets } = sparklineFrame(options);
  // Where the 1-minute roll-up stops being current: the minute its watermark is in.
  const boundary = sql`least(${timeParam(now)}, greatest(${timeParam(start)}, coalesce(
    (select date_bin('1 minute', received_through, ${BUCKET_ORIGIN}) from telemetry_watermarks
      where name = ${WATERMARK.minutes} and received_through > '-infinity'),
    ${timeParam(start)})))`;
  // Each point is [bucket index from start, rtt]: small numbers, cheap to build and to parse.
  const rows = await queryRows<{ tunnel_id: string; points: [number, number | null][] }>(
    db,
    sql`
      with minutes as (
        select r.endpoint_id, r.bucket_start as minute, r.rtt_samples as n, r.rtt_avg_ms * r.rtt_samples as total
        from telemetry_rollups r
        where r.resolution = '1m' and r.bucket_start >= ${timeParam(start)} and r.bucket_start < ${boundary}
        union all
        select s.endpoint_id, date_bin('1 minute', s.measured_at, ${BUCKET_ORIGIN}), count(s.rtt_ms), sum(s.rtt_ms)
        from telemetry_samples s
        where s.measured_at >= ${boundary} and s.measured_at <= ${timeParam(now)}
        group by 1, 2
      ),
      buckets as (
        select e.tunnel_id, floor(date_part('epoch', m.minute - ${timeParam(start)}) / ${bucketMs / 1000})::int as k,
          sum(m.total) / nullif(sum(m.n), 0) as rtt
        from minutes m join tunnel_endpoints e on e.id = m.endpoint_id
        group by 1, 2
      )
      select t.id as tunnel_id,
        coalesce(json_agg(json_build_array(p.k, p.rtt) order by p.k) filter (where p.k is not null), '[]'::json) as points
      from tunnels t
      join tenants tn on tn.id = t.tenant_id and tn.state <> 'offboarded'
      left join buckets p on p.tunnel_id = t.id
      group by t.id
      order by t.id`,
  );
  return {
    start,
    bucketMs,
    buckets,
    tunnels: rows.map((row) => ({
      tunnelId: row.tunnel_id,
      points: row.points.map(([k, rtt]) => ({ at: new Date(start.getTime() + k * bucketMs), rttMs: rtt })),
    })),
  };
}
