/**
 * The wall's snapshot read as main had it before the snapshot's rows left drizzle (e84f2d1,
 * lib/queries/noc.ts): a tile row per tunnel and a row per end, each read in keyset pages through
 * drizzle's select (an object per row, a `Date` per timestamp), put together per tunnel in a map.
 * Kept so the test that the new read makes exactly the same snapshot (lib/queries/noc.test.ts) and
 * bench/noc-stalls.ts, which runs the old and the new refresh side by side in one process on the
 * same data, have the old one; the warnings, the sparklines and the ends' current figures are read
 * by today's code, as both versions read them the same way.
 */
import { and, asc, count, eq, gt, ne, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { storedPairReport, tunnelPairRole, type PairEndReport } from "@/lib/domain/pair-role";
import { TUNNEL_STATUSES, WARNING_SEVERITIES, type TunnelStatus, type WarningSeverity } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import { maskedFirstSentence as wallMessage, NOC_LIMITS, roundRtt, roundSparklinePoint, type NocSnapshot, type NocTile } from "@/lib/queries/noc";
import { readWallSparklines, type WallSparklines } from "@/lib/queries/noc-sparklines";
import { readInPages, type PageOptions } from "@/lib/queries/read-in-pages";
import { currentEndsStatement, type CurrentEnd, type EndRate } from "@/lib/queries/tunnel-throughput";
import { worstSeverityFirst } from "@/lib/queries/warnings";
import { forEachInSlices, type SliceOptions } from "@/lib/server/time-slices";
import { queryRows } from "@/lib/telemetry/sql";
import { DEFAULT_THRESHOLDS } from "@/lib/telemetry/thresholds";
import { counterRates, currentRate, type CounterSample } from "@/lib/telemetry/throughput";
import { counter, toEndRate } from "./noc-before";

const LATEST_RTT_MAX_AGE_MS = DEFAULT_THRESHOLDS.staleAfterIntervals * DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000;

type TileRow = { tunnelId: string; tenantId: string; slug: string; ordinal: number; name: string; status: TunnelStatus; statusChangedAt: Date };
type EndpointRow = Parameters<typeof storedPairReport>[0] & { endpointId: string; tunnelId: string; side: "source" | "avs"; lastSampleAt: Date | null };
type WarningRow = { id: string; severity: WarningSeverity; kind: string; message: string; openedAt: Date; state: string; slug: string; tunnelName: string | null };

/** The tile rows and the end rows as e84f2d1 read them: drizzle's selects, each in keyset pages. */
export function readTileAndEndRowsBefore(db: Database, pages: PageOptions = {}): Promise<[TileRow[], EndpointRow[]]> {
  const live = ne(tenants.state, "offboarded");
  return Promise.all([
    readInPages<TileRow>(
      (after, limit) =>
        db
          .select({ tunnelId: tunnels.id, tenantId: tunnels.tenantId, slug: tenants.slug, ordinal: tunnels.ordinal, name: tunnels.name, status: tunnels.status, statusChangedAt: tunnels.statusChangedAt })
          .from(tunnels)
          .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
          .where(after ? and(live, sql`(${tenants.slug}, ${tunnels.ordinal}) > (${after.slug}, ${after.ordinal})`) : live)
          .orderBy(asc(tenants.slug), asc(tunnels.ordinal))
          .limit(limit),
      pages,
    ),
    readInPages<EndpointRow>(
      (after, limit) =>
        db
          .select({
            endpointId: tunnelEndpoints.id,
            tunnelId: tunnelEndpoints.tunnelId,
            side: tunnelEndpoints.side,
            lastSampleAt: tunnelEndpoints.lastSampleAt,
            pairRole: tunnelEndpoints.pairRole,
            pairSince: tunnelEndpoints.pairSince,
            pairReason: tunnelEndpoints.pairReason,
            pairReportedAt: tunnelEndpoints.pairReportedAt,
          })
          .from(tunnelEndpoints)
          .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
          .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
          .where(after ? and(live, gt(tunnelEndpoints.id, after.endpointId)) : live)
          .orderBy(asc(tunnelEndpoints.id))
          .limit(limit),
      pages,
    ),
  ]);
}

/** getNocSnapshot as it was at e84f2d1. */
export async function getNocSnapshotBefore(db: Database, now: Date, slices: SliceOptions & PageOptions = {}): Promise<NocSnapshot> {
  const live = ne(tenants.state, "offboarded");
  const activeWarning = and(ne(warnings.state, "resolved"), live);
  const [[tileRows, endpointRows], series, warningRows, warningCountRows, ends] = await Promise.all([
    readTileAndEndRowsBefore(db, slices),
    readWallSparklines(db, { since: new Date(now.getTime() - NOC_LIMITS.sparklineMinutes * 60_000), now, points: NOC_LIMITS.sparklineMinutes }, slices),
    db
      .select({ id: warnings.id, severity: warnings.severity, kind: warnings.kind, message: warnings.message, openedAt: warnings.openedAt, state: warnings.state, slug: tenants.slug, tunnelName: tunnels.name })
      .from(warnings)
      .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
      .leftJoin(tunnels, eq(tunnels.id, warnings.tunnelId))
      .where(activeWarning)
      .orderBy(worstSeverityFirst, asc(warnings.openedAt), asc(warnings.id))
      .limit(NOC_LIMITS.warnings),
    db.select({ severity: warnings.severity, n: count() }).from(warnings).innerJoin(tenants, eq(tenants.id, warnings.tenantId)).where(activeWarning).groupBy(warnings.severity),
    readCurrentEndsAsBefore(db, { now, maxGapMs: LATEST_RTT_MAX_AGE_MS }, slices),
  ]);
  return assembleBefore(tileRows, endpointRows, series, warningRows, warningCountRows, ends, now, slices);
}

type TunnelEnds = { ids: string[]; rttSum: number; rttCount: number; reports: { source: PairEndReport | null; avs: PairEndReport | null }; rates: Partial<Record<"source" | "avs", EndRate>> };

async function assembleBefore(
  tileRows: readonly TileRow[],
  endpointRows: readonly EndpointRow[],
  series: Pick<WallSparklines, "valuesOf">,
  warningRows: readonly WarningRow[],
  warningCountRows: readonly { severity: WarningSeverity; n: number }[],
  ends: ReadonlyMap<string, CurrentEnd>,
  now: Date,
  slices: SliceOptions,
): Promise<NocSnapshot> {
  const byTunnel = new Map<string, TunnelEnds>();
  let newestSample = -Infinity;
  await forEachInSlices(
    endpointRows,
    (endpoint) => {
      if (endpoint.lastSampleAt) newestSample = Math.max(newestSample, endpoint.lastSampleAt.getTime());
      let entry = byTunnel.get(endpoint.tunnelId);
      if (!entry) byTunnel.set(endpoint.tunnelId, (entry = { ids: [], rttSum: 0, rttCount: 0, reports: { source: null, avs: null }, rates: {} }));
      entry.ids.push(endpoint.endpointId);
      entry.reports[endpoint.side] = storedPairReport(endpoint, now, LATEST_RTT_MAX_AGE_MS);
      const end = ends.get(endpoint.endpointId);
      if (end?.rate) entry.rates[endpoint.side] = end.rate;
      const rtt = end?.rttMs;
      if (rtt === null || rtt === undefined || !Number.isFinite(rtt)) return;
      entry.rttSum += rtt;
      entry.rttCount += 1;
    },
    slices,
  );
  const tunnelsPerTenant = new Map<string, number>();
  for (const row of tileRows) tunnelsPerTenant.set(row.tenantId, (tunnelsPerTenant.get(row.tenantId) ?? 0) + 1);
  const counts = Object.fromEntries(TUNNEL_STATUSES.map((s) => [s, 0])) as Record<TunnelStatus, number>;
  const tiles: NocTile[] = [];
  await forEachInSlices(
    tileRows,
    (row) => {
      counts[row.status] += 1;
      const entry = byTunnel.get(row.tunnelId);
      tiles.push({
        tunnelId: row.tunnelId,
        label: `${row.slug}/${row.name}`,
        status: row.status,
        statusChangedAt: row.statusChangedAt.toISOString(),
        rttMs: entry && entry.rttCount > 0 ? roundRtt(entry.rttSum / entry.rttCount) : null,
        sparkline: series.valuesOf(entry?.ids ?? []).map(roundSparklinePoint),
        pairRole: (tunnelsPerTenant.get(row.tenantId) ?? 0) > 1 ? tunnelPairRole(entry?.reports ?? { source: null, avs: null }) : null,
        throughput: throughputBefore(entry?.rates),
      });
    },
    slices,
  );
  const warningCounts = Object.fromEntries(WARNING_SEVERITIES.map((s) => [s, 0])) as Record<WarningSeverity, number>;
  for (const row of warningCountRows) warningCounts[row.severity] = row.n;
  return {
    generatedAt: now.toISOString(),
    newestSampleAt: Number.isFinite(newestSample) ? new Date(newestSample).toISOString() : null,
    sampleIntervalMs: DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000,
    counts,
    warningCounts,
    tiles,
    warnings: warningRows.map((row) => ({
      id: row.id,
      severity: row.severity,
      kind: row.kind,
      title: warningKindLabel(row.kind),
      label: row.tunnelName === null ? row.slug : `${row.slug}/${row.tunnelName}`,
      message: wallMessage(row.message),
      openedAt: row.openedAt.toISOString(),
      acknowledged: row.state === "acknowledged",
    })),
  };
}

function throughputBefore(ends: Partial<Record<"source" | "avs", EndRate>> | undefined): NocTile["throughput"] {
  const { source, avs } = ends ?? {};
  if (source && (source.txBps !== null || source.rxBps !== null)) return { toAvsBps: source.txBps, fromAvsBps: source.rxBps };
  if (avs && (avs.txBps !== null || avs.rxBps !== null)) return { toAvsBps: avs.rxBps, fromAvsBps: avs.txBps };
  return null;
}

type CounterRow = CounterSample & { endpointId: string };
type CurrentEndRow = { endpoint_id: string; at: number; tx_bytes: string | null; rx_bytes: string | null; tx_packets: string | null; rx_packets: string | null; rtt_ms: number | null; newest: string | number; counted: boolean };
/** readCurrentEnds as e84f2d1 took its rows in. */
export async function readCurrentEndsAsBefore(db: Database, options: { now: Date; maxGapMs: number }, slices: SliceOptions = {}): Promise<Map<string, CurrentEnd>> {
  const since = new Date(options.now.getTime() - options.maxGapMs);
  const rows = await queryRows<CurrentEndRow>(db, currentEndsStatement(since));
  const rttOf = new Map<string, number | null>();
  const countersOf = new Map<string, CounterRow[]>();
  await forEachInSlices(
    rows,
    (row) => {
      if (Number(row.newest) === 1) rttOf.set(row.endpoint_id, row.rtt_ms);
      if (!row.counted) return;
      const samples = countersOf.get(row.endpoint_id) ?? [];
      samples.push({ endpointId: row.endpoint_id, at: Math.round(Number(row.at)), txBytes: counter(row.tx_bytes), rxBytes: counter(row.rx_bytes), txPackets: counter(row.tx_packets), rxPackets: counter(row.rx_packets) });
      countersOf.set(row.endpoint_id, samples);
    },
    slices,
  );
  const current = new Map<string, CurrentEnd>();
  await forEachInSlices(
    rttOf,
    ([endpointId, rttMs]) => {
      const samples = (countersOf.get(endpointId) ?? []).sort((a, b) => a.at - b.at);
      const rate = currentRate(counterRates(samples, { maxGapMs: options.maxGapMs }), since.getTime());
      current.set(endpointId, { rttMs, rate: rate ? toEndRate(rate) : null });
    },
    slices,
  );
  return current;
}
