/**
 * One tunnel's telemetry as the tenant page draws it: its health, its latency history for a chart
 * range, and the newest forward and reverse paths. The shapes are plain JSON (times as epoch
 * milliseconds or ISO strings), because the same object is prefetched on the server, hydrated
 * into the browser's query cache and then refetched from the route: a Date on the first render
 * and a string on the second would be two different types for one query.
 *
 * Authorisation is the caller's: the route guard and the page guard check the tenant first.
 */
import "server-only";
import { and, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels, type PathHop } from "@/lib/db/schema";
import { storedPairReport, tunnelPairRole } from "@/lib/domain/pair-role";
import type { PairEndRole, TunnelPairRole, TunnelStatus } from "@/lib/domain/status";
import { resolveRange, type ChartWindow, type RangeSpec } from "@/lib/charts/time-range";
import { alignPaths } from "@/lib/telemetry/rules/asymmetric-routing";
import { chartSeries, latestByEndpoint, type Resolution } from "@/lib/telemetry/series";
import { DEFAULT_THRESHOLDS, resolveThresholds, staleAfterMs } from "@/lib/telemetry/thresholds";
import type { Side } from "@/lib/domain/tenant-options";
import { readTunnelThroughput, type EndRate, type TunnelThroughput } from "./tunnel-throughput";


/** One chart point; values rounded to what a chart can show (keeps a 24 h payload small). */
export type SeriesPoint = { at: number; rttMs: number | null; jitterMs: number | null; lossPct: number | null };

export type TunnelEnd = {
  side: Side;
  hostname: string;
  /** ISO time of the end's newest sample, or null when its agent never reported. */
  lastSampleAt: string | null;
  /** Its newest raw sample's readings. */
  latest: { measuredAt: string; rttMs: number | null; jitterMs: number | null; lossPct: number | null } | null;
  /** In an active/standby pair: the role its agent reported last, if recent; null otherwise. */
  pair: { role: PairEndRole; since: string; reason: string } | null;
  /** Its tunnel interface's rate over its newest two samples, while they are recent; null otherwise. */
  rate: EndRate | null;
};

export type TunnelSeries = {
  /** The server's clock when this was read: ages on the page are measured from it, so server and browser render the same words. */
  generatedAt: string;
  tunnel: { id: string; name: string; ordinal: number; status: TunnelStatus; statusChangedAt: string; maintenanceUntil: string | null };
  /** What this tunnel does in the tenant's active/standby pair, from its ends' reports; null for a tenant with one tunnel. */
  pairRole: TunnelPairRole | null;
  ends: TunnelEnd[];
  /** The range as asked for (the URL's form), and the window it meant when this was read. */
  range: RangeSpec;
  window: Omit<ChartWindow, "from" | "to">;
  resolution: Resolution;
  bucketMs: number | null;
  from: number;
  to: number;
  /** Points further apart than this have no data between them; the chart breaks its line there. */
  gapMs: number;
  latencyObjectiveMs: number;
  series: { side: Side; points: SeriesPoint[] }[];
  throughput: TunnelThroughput;
};

const SIDE_ORDER: Record<Side, number> = { source: 0, avs: 1 };

/** Three significant decimals at most: enough for sub-millisecond LAN links, short on the wire. */
function round(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000;
}

/**
 * The tunnel's health and its latency, jitter, loss and throughput over `range` as it reads at
 * `now`; null for no such tunnel. Throws a TimeRangeError for a range that cannot be shown.
 */
export async function getTunnelSeries(db: Database, tunnelId: string, range: RangeSpec, now: Date): Promise<TunnelSeries | null> {
  const { from: fromMs, to: toMs, ...window } = resolveRange(range, now.getTime());
  const [row] = await db
    .select({ tunnel: tunnels, latencyObjectiveMs: tenants.latencyObjectiveMs, warningThresholds: tenants.warningThresholds })
    .from(tunnels)
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(eq(tunnels.id, tunnelId));
  if (!row) return null;
  const from = new Date(fromMs);
  const [chart, endRows, [siblings]] = await Promise.all([
    chartSeries(db, { tunnelId, from, to: new Date(toMs), now }),
    db
      .select({
        id: tunnelEndpoints.id,
        side: tunnelEndpoints.side,
        hostname: tunnelEndpoints.hostname,
        lastSampleAt: tunnelEndpoints.lastSampleAt,
        pairRole: tunnelEndpoints.pairRole,
        pairSince: tunnelEndpoints.pairSince,
        pairReason: tunnelEndpoints.pairReason,
        pairReportedAt: tunnelEndpoints.pairReportedAt,
      })
      .from(tunnelEndpoints)
      .where(eq(tunnelEndpoints.tunnelId, tunnelId)),
    db.select({ n: sql<number>`count(*)::integer` }).from(tunnels).where(eq(tunnels.tenantId, row.tunnel.tenantId)),
  ]);
  const inPair = Number(siblings?.n ?? 0) > 1;
  // A role report as old as a stale side is no longer what the end does.
  const roleMaxAgeMs = staleMsOf(row.latencyObjectiveMs, row.warningThresholds);
  const reports = new Map(endRows.map((end) => [end.side, inPair ? storedPairReport(end, now, roleMaxAgeMs) : null]));
  const [latest, throughput] = await Promise.all([
    latestByEndpoint(
      db,
      endRows.map((e) => e.id),
    ),
    readTunnelThroughput(db, endRows, { from: fromMs, to: toMs }, {
      now,
      sampleIntervalMs: sampleIntervalMsOf(row.latencyObjectiveMs, row.warningThresholds),
      maxGapMs: roleMaxAgeMs,
    }),
  ]);
  return {
    generatedAt: now.toISOString(),
    tunnel: {
      id: row.tunnel.id,
      name: row.tunnel.name,
      ordinal: row.tunnel.ordinal,
      status: row.tunnel.status,
      statusChangedAt: row.tunnel.statusChangedAt.toISOString(),
      maintenanceUntil: row.tunnel.maintenanceUntil?.toISOString() ?? null,
    },
    pairRole: inPair ? tunnelPairRole({ source: reports.get("source") ?? null, avs: reports.get("avs") ?? null }) : null,
    ends: endRows
      .sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side])
      .map((end) => {
        const sample = latest.get(end.id);
        return {
          side: end.side,
          hostname: end.hostname,
          lastSampleAt: end.lastSampleAt?.toISOString() ?? null,
          latest: sample
            ? { measuredAt: sample.measuredAt.toISOString(), rttMs: round(sample.rttMs), jitterMs: round(sample.jitterMs), lossPct: round(sample.lossPct) }
            : null,
          pair: ((report) => (report ? { role: report.role, since: report.since.toISOString(), reason: report.reason } : null))(reports.get(end.side) ?? null),
          rate: throughput.current[end.side] ?? null,
        };
      }),
    range,
    window,
    resolution: chart.resolution,
    bucketMs: chart.bucketMs,
    from: chart.from.getTime(),
    to: chart.to.getTime(),
    gapMs: gapFor(chart.bucketMs, row.latencyObjectiveMs, row.warningThresholds),
    latencyObjectiveMs: row.latencyObjectiveMs,
    series: chart.series
      .sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side])
      .map((s) => ({
        side: s.side,
        points: s.points.map((p) => ({ at: p.at.getTime(), rttMs: round(p.rttMs), jitterMs: round(p.jitterMs), lossPct: round(p.lossPct) })),
      })),
    throughput: { ...throughput, series: throughput.series.sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side]) },
  };
}

/**
 * How far apart two points may be before the line breaks: as long as the tenant's agents may be
 * silent before the tunnel counts as stale, and never less than one and a half buckets (a chart
 * of hourly buckets has points an hour apart, and that is not a gap).
 */
function gapFor(bucketMs: number | null, latencyObjectiveMs: number, overrides: unknown): number {
  return Math.max(staleMsOf(latencyObjectiveMs, overrides), bucketMs === null ? 0 : bucketMs * 1.5);
}

/** How often this tenant's agents sample. */
function sampleIntervalMsOf(latencyObjectiveMs: number, overrides: unknown): number {
  try {
    return resolveThresholds(latencyObjectiveMs, overrides).sampleIntervalSeconds * 1000;
  } catch {
    return DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000;
  }
}

/** How long a side may be silent before it is stale, for this tenant. */
function staleMsOf(latencyObjectiveMs: number, overrides: unknown): number {
  try {
    return staleAfterMs(resolveThresholds(latencyObjectiveMs, overrides));
  } catch {
    // Bad stored overrides are reported by the evaluation job; a chart just uses the defaults.
    return DEFAULT_THRESHOLDS.staleAfterIntervals * DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000;
  }
}

// --- Paths -----------------------------------------------------------------------------------

/** A path older than this says nothing about how traffic flows now. */
export const PATH_MAX_AGE_MS = 24 * 3_600_000;

export type TracedPath = { side: Side; hostname: string; measuredAt: string; hops: PathHop[] };

export type PathComparison = {
  generatedAt: string;
  /** Traced by the source gateway's agent toward the AVS end; null when none in the last day. */
  forward: TracedPath | null;
  /** Traced by the AVS edge bridge's agent toward the source; null when none in the last day. */
  reverse: TracedPath | null;
  /**
   * The hops between the two ends, the reverse path read backwards so positions line up; a side
   * is null past the end of its path. Empty unless both paths are known.
   */
  hops: { hop: number; forward: PathHop | null; reverse: PathHop | null; differs: boolean }[];
  /** The first position where the paths differ, or null when they agree (or one is missing). */
  firstDifference: number | null;
};

/** The newest forward and reverse paths of a tunnel, lined up hop by hop; null for no such tunnel. */
export async function getTunnelPaths(db: Database, tunnelId: string, now: Date): Promise<PathComparison | null> {
  const [tunnel] = await db.select({ id: tunnels.id }).from(tunnels).where(eq(tunnels.id, tunnelId));
  if (!tunnel) return null;
  // One lateral lookup per end, newest first down the (endpoint, measured_at) key: cheap however
  // long the history, and bounded to a day so an agent that never traces does not scan a week.
  const newest = db
    .select({ measuredAt: telemetrySamples.measuredAt, path: telemetrySamples.path })
    .from(telemetrySamples)
    .where(
      and(
        eq(telemetrySamples.endpointId, tunnelEndpoints.id),
        gte(telemetrySamples.measuredAt, new Date(now.getTime() - PATH_MAX_AGE_MS)),
        isNotNull(telemetrySamples.path),
        sql`jsonb_array_length(${telemetrySamples.path}) > 0`,
      ),
    )
    .orderBy(desc(telemetrySamples.measuredAt))
    .limit(1)
    .as("newest");
  const rows = await db
    .select({ side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname, measuredAt: newest.measuredAt, path: newest.path })
    .from(tunnelEndpoints)
    .innerJoinLateral(newest, sql`true`)
    .where(eq(tunnelEndpoints.tunnelId, tunnelId));
  const traced = (side: Side): TracedPath | null => {
    const row = rows.find((r) => r.side === side);
    if (!row?.path) return null;
    return { side, hostname: row.hostname, measuredAt: row.measuredAt.toISOString(), hops: [...row.path].sort((a, b) => a.ttl - b.ttl) };
  };
  return comparePathsForView(traced("source"), traced("avs"), now);
}

/** The comparison a view shows, from the two traced paths (either may be missing). Pure. */
export function comparePathsForView(forward: TracedPath | null, reverse: TracedPath | null, now: Date): PathComparison {
  const hops =
    forward && reverse
      ? alignPaths(forward.hops, reverse.hops).map((h) => ({ hop: h.hop, forward: h.forward ?? null, reverse: h.reverse ?? null, differs: h.differs }))
      : [];
  return { generatedAt: now.toISOString(), forward, reverse, hops, firstDifference: hops.find((h) => h.differs)?.hop ?? null };
}
