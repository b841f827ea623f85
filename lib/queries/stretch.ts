/**
 * A tenant's stretch as the page and the commands see it: the evidence every pre-check judges
 * (read here, judged by lib/stretch/checks), the checks each step runs, and the timeline, which
 * is the audit trail's stretch events.
 */
import "server-only";
import { and, asc, eq, gte, inArray, like, ne, or } from "drizzle-orm";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { auditEvents, privateClouds, segments, stretchFiles, telemetrySamples, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import type { SegmentState, StretchStage } from "@/lib/domain/status";
import { firstHostGateway, gatewayHost } from "@/lib/domain/stretch";
import { STRETCH_EVENTS, stretchEventOf } from "@/lib/domain/stretch-events";
import { checkSubnetAddressSpace } from "@/lib/queries/address-space";
import { runChecklist, type Checklist } from "@/lib/stretch/checks/checklists";
import { RECENT_TRAFFIC } from "@/lib/stretch/checks/offboarding";
import type { CheckResult, EndEvidence, StretchEvidence, TunnelEvidence } from "@/lib/stretch/checks/types";
import { DEFAULT_THRESHOLDS, resolveThresholds, staleAfterMs, ThresholdsError } from "@/lib/telemetry/thresholds";

type Reader = Database;

/**
 * Everything the pre-checks judge, read fresh. Inside a command's transaction, pass the
 * transaction: the checks then see what the step is about to act on.
 */
export async function loadStretchEvidence(db: Reader, tenantId: string, now = new Date()): Promise<StretchEvidence | null> {
  const [row] = await db
    .select({ tenant: tenants, cloud: privateClouds })
    .from(tenants)
    .innerJoin(privateClouds, eq(privateClouds.id, tenants.privateCloudId))
    .where(eq(tenants.id, tenantId));
  if (!row) return null;
  const { tenant, cloud } = row;
  const tunnelRows = await db.select().from(tunnels).where(eq(tunnels.tenantId, tenantId)).orderBy(tunnels.ordinal);
  const endpointRows = tunnelRows.length
    ? await db.select().from(tunnelEndpoints).where(inArray(tunnelEndpoints.tunnelId, tunnelRows.map((t) => t.id)))
    : [];
  const windowStart = new Date(now.getTime() - RECENT_TRAFFIC.windowMinutes * 60_000);
  const sampleRows = endpointRows.length
    ? await db
        .select({ endpointId: telemetrySamples.endpointId, measuredAt: telemetrySamples.measuredAt, learnedMacs: telemetrySamples.learnedMacs, txBytes: telemetrySamples.txBytes, rxBytes: telemetrySamples.rxBytes })
        .from(telemetrySamples)
        .where(and(inArray(telemetrySamples.endpointId, endpointRows.map((e) => e.id)), gte(telemetrySamples.measuredAt, windowStart)))
        .orderBy(asc(telemetrySamples.measuredAt))
    : [];
  const warningRows = await db
    .select()
    .from(warnings)
    .where(and(eq(warnings.tenantId, tenantId), ne(warnings.state, "resolved")));
  const [segment] = await db.select().from(segments).where(eq(segments.tenantId, tenantId));
  const addressConflicts = await checkSubnetAddressSpace(db, cloud, tenant.subnet, { exceptTenantId: tenant.id });

  const endEvidence = (endpoint: (typeof endpointRows)[number]): EndEvidence => {
    const own = sampleRows.filter((s) => s.endpointId === endpoint.id);
    const newest = own.at(-1);
    return {
      side: endpoint.side,
      hostname: endpoint.hostname,
      lastSampleAt: endpoint.lastSampleAt,
      macReport: endpoint.macReport,
      macReportedAt: endpoint.macReportedAt,
      learnedMacs: newest?.learnedMacs ?? null,
      traffic: trafficOf(own),
    };
  };
  const tunnelEvidence: TunnelEvidence[] = tunnelRows.map((tunnel) => {
    const ends: TunnelEvidence["ends"] = {};
    for (const endpoint of endpointRows.filter((e) => e.tunnelId === tunnel.id)) ends[endpoint.side] = endEvidence(endpoint);
    return { id: tunnel.id, name: tunnel.name, ordinal: tunnel.ordinal, status: tunnel.status, ends };
  });
  return {
    now,
    staleAfterMs: staleLimit(tenant.latencyObjectiveMs, tenant.warningThresholds),
    tenant: { slug: tenant.slug, subnet: tenant.subnet, stage: tenant.stretchStage, gatewayLocation: tenant.gatewayLocation },
    plan: tenant.cutoverGatewayAddress && tenant.cutoverTier1Id ? { gatewayAddress: tenant.cutoverGatewayAddress, tier1Id: tenant.cutoverTier1Id } : null,
    tunnels: tunnelEvidence,
    warnings: warningRows.map((w) => ({ kind: w.kind, severity: w.severity, state: w.state as Exclude<typeof w.state, "resolved">, tunnelId: w.tunnelId, message: w.message, openedAt: w.openedAt })),
    cloud: { name: cloud.name, tier1Gateways: cloud.tier1Gateways, lastSyncedAt: cloud.lastSyncedAt },
    addressConflicts,
    segment: segment
      ? { state: segment.state, gatewayAddress: segment.gatewayAddress, tier1GatewayId: segment.tier1GatewayId, portVifs: segment.portVifs, checkedAt: segment.checkedAt }
      : null,
  };
}

/** Bytes through the tunnel device between the window's first and last counter readings; null without two, or across a counter reset. */
function trafficOf(samples: { measuredAt: Date; txBytes: number | null; rxBytes: number | null }[]): EndEvidence["traffic"] {
  const read = samples.filter((s) => s.txBytes !== null && s.rxBytes !== null);
  const first = read[0];
  const last = read.at(-1);
  if (!first || !last || first === last) return null;
  const bytes = last.txBytes! + last.rxBytes! - (first.txBytes! + first.rxBytes!);
  if (bytes < 0) return null;
  return { bytes, seconds: (last.measuredAt.getTime() - first.measuredAt.getTime()) / 1000 };
}

/** The evaluation's own stale limit for this tenant; defaults when its stored thresholds are invalid (the evaluation names those). */
function staleLimit(latencyObjectiveMs: number, overrides: unknown): number {
  try {
    return staleAfterMs(resolveThresholds(latencyObjectiveMs, overrides));
  } catch (error) {
    if (!(error instanceof ThresholdsError)) throw error;
    return staleAfterMs({ ...DEFAULT_THRESHOLDS, latencyObjectiveMs });
  }
}

export async function runStretchChecks(db: Reader, tenantId: string, list: Checklist, now = new Date()): Promise<CheckResult[] | null> {
  const evidence = await loadStretchEvidence(db, tenantId, now);
  return evidence ? runChecklist(list, evidence) : null;
}

export type TimelineEntry = { id: number; at: Date; actor: string; action: string; label: string; detail: string | null };

/** The stretch's story, oldest first: onboarding, every step and its outcome, offboarding. */
export async function listStretchTimeline(db: Reader, tenantId: string): Promise<TimelineEntry[]> {
  const rows = await db
    .select({ id: auditEvents.id, at: auditEvents.at, actor: auditEvents.actor, action: auditEvents.action, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), or(like(auditEvents.action, "stretch.%"), inArray(auditEvents.action, Object.keys(STRETCH_EVENTS)))))
    .orderBy(asc(auditEvents.id));
  return rows.flatMap((row) => {
    const event = stretchEventOf(row.action, row.after);
    return event ? [{ id: row.id, at: row.at, actor: row.actor, action: row.action, label: event.label, detail: event.detail }] : [];
  });
}

/** Whether the unextend left teardown files to download, and how many. */
export async function countStretchFiles(db: Reader, tenantId: string): Promise<number> {
  const rows = await db.select({ path: stretchFiles.path }).from(stretchFiles).where(eq(stretchFiles.tenantId, tenantId));
  return rows.length;
}

export async function listStretchFiles(db: Reader, tenantId: string) {
  return db.select({ path: stretchFiles.path, contents: stretchFiles.contents, mode: stretchFiles.mode }).from(stretchFiles).where(eq(stretchFiles.tenantId, tenantId)).orderBy(asc(stretchFiles.path));
}

/** Which pre-checks the page shows at each stage (the offboarding's are always there, for its form). */
const CHECKLISTS_BY_STAGE: Record<StretchStage, Checklist[]> = {
  extending: [],
  "cutover-planned": ["cut-over"],
  "cutting-over": [],
  "cut-over": ["after-cut-over", "unextend"],
  "rolling-back": [],
  unextended: [],
};

export type StretchView = {
  stage: StretchStage;
  stageChangedAt: string;
  gatewayLocation: "source" | "avs";
  plan: { gatewayAddress: string; tier1Id: string; plannedCutoverOn: string | null; sourceInterface: string | null } | null;
  /** What the plan form offers: the subnet's first host, and the private cloud's Tier-1s as last read. */
  defaults: { gatewayAddress: string; tier1Gateways: { id: string; displayName: string }[] };
  segment: { state: SegmentState; lastError: string | null; gatewayAddress: string | null; tier1GatewayId: string | null } | null;
  checklists: Partial<Record<Checklist, CheckResult[]>>;
  timeline: (Omit<TimelineEntry, "at"> & { at: string })[];
  teardownFiles: number;
};

/**
 * Who reads the view: the fleet's operators, or the tenant's own users (and tokens), who see
 * their stretch's pre-checks but must not learn other tenants' names from the overlap check.
 */
export type StretchAudience = "fleet" | "tenant";

/** A tenant's own users and tokens read as the tenant; operators, NOC displays and fleet-wide tokens as the fleet. */
export function stretchAudienceOf(principal: Principal): StretchAudience {
  if (principal.kind === "user") return principal.tenant === null ? "fleet" : "tenant";
  if (principal.kind === "token") return principal.tenantId === null ? "fleet" : "tenant";
  return "fleet";
}

/** The evidence as a tenant's own users may see it: an overlapping tenant is "another tenant". */
function forAudience(evidence: StretchEvidence, audience: StretchAudience): StretchEvidence {
  if (audience === "fleet") return evidence;
  return { ...evidence, addressConflicts: evidence.addressConflicts.map((c) => (c.kind === "tenant" ? { ...c, label: "another tenant" } : c)) };
}

/** The tenant page's stretch section, as JSON the browser can poll while Azure works. */
export async function getStretchView(db: Reader, tenantId: string, now = new Date(), options: { audience: StretchAudience } = { audience: "tenant" }): Promise<StretchView | null> {
  const loaded = await loadStretchEvidence(db, tenantId, now);
  if (!loaded) return null;
  const evidence = forAudience(loaded, options.audience);
  const [tenant] = await db
    .select({ stage: tenants.stretchStage, changedAt: tenants.stretchStageChangedAt, subnet: tenants.subnet, plannedCutoverOn: tenants.plannedCutoverOn, sourceInterface: tenants.sourceGatewayInterface })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  const [segment] = await db.select().from(segments).where(eq(segments.tenantId, tenantId));
  const checklists: StretchView["checklists"] = {};
  for (const list of [...CHECKLISTS_BY_STAGE[tenant!.stage], "offboard" as const]) checklists[list] = runChecklist(list, evidence);
  const timeline = await listStretchTimeline(db, tenantId);
  return {
    stage: tenant!.stage,
    stageChangedAt: tenant!.changedAt.toISOString(),
    gatewayLocation: evidence.tenant.gatewayLocation,
    plan: evidence.plan ? { ...evidence.plan, plannedCutoverOn: tenant!.plannedCutoverOn, sourceInterface: tenant!.sourceInterface } : null,
    defaults: { gatewayAddress: gatewayHost(firstHostGateway(tenant!.subnet)), tier1Gateways: evidence.cloud.tier1Gateways },
    segment: segment ? { state: segment.state, lastError: segment.lastError, gatewayAddress: segment.gatewayAddress, tier1GatewayId: segment.tier1GatewayId } : null,
    checklists,
    timeline: timeline.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
    teardownFiles: await countStretchFiles(db, tenantId),
  };
}

/**
 * The stretch's version for ETag/If-Match: when its stage or plan last changed (every step, the
 * job's included, moves it), as the page's hidden stageChangedAt carries it. Null: no tenant.
 */
export async function getStretchVersion(db: Reader, tenantId: string): Promise<string | null> {
  const [row] = await db.select({ changedAt: tenants.stretchStageChangedAt }).from(tenants).where(eq(tenants.id, tenantId));
  return row ? row.changedAt.toISOString() : null;
}
