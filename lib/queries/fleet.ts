import "server-only";
import { and, asc, count, desc, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditEvents, privateClouds, segments, telemetrySamples, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { TUNNEL_STATUSES, type TunnelStatus } from "@/lib/domain/status";
import type { Side } from "@/lib/domain/tenant-options";

export type FleetSummary = {
  privateClouds: number;
  activeTenants: number;
  tunnelsByStatus: Record<TunnelStatus, number>;
  openWarnings: { info: number; warning: number; critical: number };
};

/**
 * An offboarded tenant's tunnels and warnings stay on record as history, frozen as they were;
 * the overview counts only the tenants not offboarded, as the NOC wall and the warnings list do,
 * so each number matches the list it links to.
 */
const notOffboarded = ne(tenants.state, "offboarded");

/** The numbers every overview starts from, in one round of small aggregate queries. */
export async function getFleetSummary(db: Database): Promise<FleetSummary> {
  const [[clouds], [active], tunnelRows, warningRows] = await Promise.all([
    db.select({ n: count() }).from(privateClouds),
    db.select({ n: count() }).from(tenants).where(notOffboarded),
    db.select({ status: tunnels.status, n: count() }).from(tunnels).innerJoin(tenants, eq(tenants.id, tunnels.tenantId)).where(notOffboarded).groupBy(tunnels.status),
    db
      .select({ severity: warnings.severity, n: count() })
      .from(warnings)
      .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
      .where(and(sql`${warnings.state} <> 'resolved'`, notOffboarded))
      .groupBy(warnings.severity),
  ]);
  const tunnelsByStatus = Object.fromEntries(TUNNEL_STATUSES.map((s) => [s, 0])) as Record<TunnelStatus, number>;
  for (const row of tunnelRows) tunnelsByStatus[row.status] = row.n;
  const openWarnings = { info: 0, warning: 0, critical: 0 };
  for (const row of warningRows) openWarnings[row.severity] = row.n;
  return {
    privateClouds: clouds?.n ?? 0,
    activeTenants: active?.n ?? 0,
    tunnelsByStatus,
    openWarnings,
  };
}

/** A tunnel's newest reading counts as "now" for this long; older ones say nothing about now. */
const CURRENT_SAMPLE_MS = 5 * 60_000;

export type FleetOverview = FleetSummary & {
  generatedAt: string;
  warningsByKind: { kind: string; severity: "info" | "warning" | "critical"; n: number }[];
  worstLatency: { slug: string; tenant: string; tunnel: string; side: Side; rttMs: number }[];
  worstLoss: { slug: string; tenant: string; tunnel: string; side: Side; lossPct: number }[];
  segmentsInMotion: Record<"pending" | "provisioning" | "failed" | "drifted" | "deleting", number>;
  pastCutover: { slug: string; tenant: string; plannedCutoverOn: string }[];
  recentChanges: { id: number; at: string; actor: string; action: string; slug: string | null }[];
};

/**
 * The admin overview: everything on it in a handful of fleet-wide queries, each number with
 * enough to link to the list behind it.
 */
export async function getFleetOverview(db: Database, now = new Date()): Promise<FleetOverview> {
  const since = new Date(now.getTime() - CURRENT_SAMPLE_MS);
  const latest = db
    .select({ rttMs: telemetrySamples.rttMs, lossPct: telemetrySamples.lossPct })
    .from(telemetrySamples)
    .where(and(eq(telemetrySamples.endpointId, tunnelEndpoints.id), gte(telemetrySamples.measuredAt, since)))
    .orderBy(desc(telemetrySamples.measuredAt))
    .limit(1)
    .as("latest");
  const [summary, byKind, readings, segmentRows, pastCutover, recent] = await Promise.all([
    getFleetSummary(db),
    db
      .select({ kind: warnings.kind, severity: warnings.severity, n: count() })
      .from(warnings)
      .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
      .where(and(ne(warnings.state, "resolved"), notOffboarded))
      .groupBy(warnings.kind, warnings.severity),
    db
      .select({ slug: tenants.slug, tenant: tenants.displayName, tunnel: tunnels.name, side: tunnelEndpoints.side, rttMs: latest.rttMs, lossPct: latest.lossPct })
      .from(tunnelEndpoints)
      .innerJoinLateral(latest, sql`true`)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
      .where(inArray(tenants.state, ["onboarding", "active"])),
    db.select({ state: segments.state, n: count() }).from(segments).groupBy(segments.state),
    db
      .select({ slug: tenants.slug, tenant: tenants.displayName, plannedCutoverOn: tenants.plannedCutoverOn })
      .from(tenants)
      .where(and(inArray(tenants.state, ["onboarding", "active"]), sql`${tenants.plannedCutoverOn} < ${now.toISOString().slice(0, 10)}::date`))
      .orderBy(asc(tenants.plannedCutoverOn)),
    db
      .select({ id: auditEvents.id, at: auditEvents.at, actor: auditEvents.actor, action: auditEvents.action, slug: tenants.slug })
      .from(auditEvents)
      .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
      .orderBy(desc(auditEvents.id))
      .limit(8),
  ]);
  const segmentsInMotion = { pending: 0, provisioning: 0, failed: 0, drifted: 0, deleting: 0 };
  for (const row of segmentRows) if (row.state in segmentsInMotion) segmentsInMotion[row.state as keyof typeof segmentsInMotion] = row.n;
  const top = <K extends "rttMs" | "lossPct">(key: K, atLeast: number) =>
    readings
      .filter((r): r is typeof r & Record<K, number> => typeof r[key] === "number" && (r[key] as number) >= atLeast)
      .sort((a, b) => b[key] - a[key])
      .slice(0, 5)
      .map((r) => ({ slug: r.slug, tenant: r.tenant, tunnel: r.tunnel, side: r.side, [key]: Math.round(r[key] * 10) / 10 }));
  return {
    ...summary,
    generatedAt: now.toISOString(),
    warningsByKind: byKind.sort((a, b) => b.n - a.n),
    worstLatency: top("rttMs", 0) as FleetOverview["worstLatency"],
    // Loss of 0 is not "worst" of anything: only tunnels that lose packets are listed.
    worstLoss: top("lossPct", 0.01) as FleetOverview["worstLoss"],
    segmentsInMotion,
    pastCutover: pastCutover.map((t) => ({ ...t, plannedCutoverOn: t.plannedCutoverOn! })),
    recentChanges: recent.map((r) => ({ ...r, at: r.at.toISOString() })),
  };
}
