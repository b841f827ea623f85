/**
 * What the rules see of a batch of tenants: read from the database in a fixed handful of
 * statements per batch (whatever its size), then shaped into one RuleInput per tunnel by a pure
 * builder the tests drive directly.
 *
 * Read only what the rules need: each tenant's own window of samples (15 minutes unless it chose
 * otherwise), kept between rounds and brought up to date with what arrived (sample-windows.ts),
 * the hop path only on the newest traces the asymmetric-routing rule compares (and the newest
 * one, whose first hop the single-point-of-failure rule reads), the baseline as one median per
 * tunnel computed in SQL, not a week of hourly rows.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { ActiveWarning } from "../lifecycle";
import { firstAnsweringHop } from "../rules/asymmetric-routing";
import type { Side } from "@/lib/domain/tenant-options";
import type { PairTunnelInput, RuleInput, RuleSample, SideInput } from "../rules/types";
import { epochMs, queryRows, timeParam } from "../sql";
import { BASELINE_MIN_HOURS, BASELINE_WINDOW_DAYS, resolveThresholds, ThresholdsError, type Thresholds } from "../thresholds";
import { uuidArray } from "./due";
import { SampleWindows } from "./sample-windows";
import { workloadsMostlyIn } from "../rules/workloads";

export type TenantRow = {
  id: string;
  slug: string;
  latencyObjectiveMs: number;
  warningThresholds: Record<string, number>;
  gatewayLocation: "source" | "avs";
  transport: "ipsec-vpn" | "expressroute-global-reach" | "sd-wan";
  subnet: string;
  plannedCutoverOn: string | null;
  stretchStartedOn: string | null;
};
export type TunnelRow = { id: string; tenantId: string; ordinal: number; name: string; status: string; maintenanceUntil: Date | null };
export type EndpointRow = { id: string; tunnelId: string; side: Side; hostname: string; lastSampleAt: Date | null };

/** One tenant as read for a round: its rows, its samples by endpoint, its active warnings. */
export type TenantRows = {
  tenant: TenantRow;
  tunnels: TunnelRow[];
  endpoints: EndpointRow[];
  /** Samples of each endpoint in the tenant's window, oldest first; paths only where read. */
  samples: Map<string, RuleSample[]>;
  /** Baseline RTT by source endpoint (null: too little history). */
  baselines: Map<string, number | null>;
  active: ActiveWarning[];
};

// Shared with the cut-over's pre-checks (rules/workloads.ts); re-exported for the job's tests.
export { workloadsMostlyIn };

/** A tenant's thresholds, or why its stored overrides cannot be used. */
export function thresholdsOf(tenant: Pick<TenantRow, "latencyObjectiveMs" | "warningThresholds">): Thresholds | ThresholdsError {
  try {
    return resolveThresholds(tenant.latencyObjectiveMs, tenant.warningThresholds);
  } catch (error) {
    if (error instanceof ThresholdsError) return error;
    throw error;
  }
}

const windowStartOf = (thresholds: Thresholds, now: Date) => now.getTime() - thresholds.windowMinutes * 60_000;

/**
 * The rules' input for each of a tenant's tunnels at `now`, in tunnel order. Samples before the
 * tenant's window are left out, so a caller may pass a longer history (the deadline's tests do).
 */
export function buildRuleInputs(rows: Omit<TenantRows, "active">, thresholds: Thresholds, now: Date): RuleInput[] {
  const { tenant } = rows;
  const windowStart = windowStartOf(thresholds, now);
  const own = [...rows.tunnels].sort((a, b) => a.ordinal - b.ordinal);
  const ends = (tunnelId: string, side: Side) => rows.endpoints.find((e) => e.tunnelId === tunnelId && e.side === side);
  // Each end's window once: the tunnel's own sides, the pair's and the first hops all read it.
  const windows = new Map<string, RuleSample[]>();
  const recent = (endpoint: EndpointRow | undefined): RuleSample[] => {
    if (!endpoint) return [];
    let samples = windows.get(endpoint.id);
    if (!samples) windows.set(endpoint.id, (samples = (rows.samples.get(endpoint.id) ?? []).filter((s) => s.measuredAt.getTime() >= windowStart)));
    return samples;
  };
  const newest = (samples: RuleSample[]) => samples[samples.length - 1];

  const sharedHost = (side: Side) => {
    const hosts = own.map((t) => ends(t.id, side)?.hostname ?? null);
    return own.length > 1 && hosts[0] && hosts.every((h) => h === hosts[0]) ? hosts[0] : null;
  };
  const firstHops = own.map((t) => firstAnsweringHop(newest(recent(ends(t.id, "source")))?.path));
  const sidesOf = (tunnelId: string): Record<Side, SideInput> => {
    const source = ends(tunnelId, "source");
    const avs = ends(tunnelId, "avs");
    return {
      source: { samples: recent(source), lastSampleAt: source?.lastSampleAt ?? null },
      avs: { samples: recent(avs), lastSampleAt: avs?.lastSampleAt ?? null },
    };
  };
  // Two tunnels are an active/standby pair: every tunnel's rules see both, for the pair's rules.
  const pair: { tunnels: PairTunnelInput[] } | null =
    own.length > 1 ? { tunnels: own.map((t) => ({ id: t.id, ordinal: t.ordinal, name: t.name, sides: sidesOf(t.id) })) } : null;
  const redundancy = {
    tunnelCount: own.length,
    sharedGatewayHost: sharedHost("source") ?? sharedHost("avs"),
    sharedUnderlayFirstHop: own.length > 1 && firstHops[0] && firstHops.every((h) => h === firstHops[0]) ? firstHops[0] : null,
  };
  return own.map((tunnel) => {
    const source = ends(tunnel.id, "source");
    const sides = sidesOf(tunnel.id);
    return {
      now,
      tenant: {
        id: tenant.id,
        slug: tenant.slug,
        latencyObjectiveMs: tenant.latencyObjectiveMs,
        gatewayLocation: tenant.gatewayLocation,
        transport: tenant.transport,
        subnet: tenant.subnet,
        plannedCutoverOn: tenant.plannedCutoverOn,
        stretchStartedOn: tenant.stretchStartedOn,
      },
      tunnel: { id: tunnel.id, ordinal: tunnel.ordinal, name: tunnel.name, maintenanceUntil: tunnel.maintenanceUntil },
      redundancy,
      workloadsMostlyIn: workloadsMostlyIn({
        source: newest(sides.source.samples)?.learnedMacs ?? null,
        avs: newest(sides.avs.samples)?.learnedMacs ?? null,
      }),
      sides,
      baselineRttMs: source ? (rows.baselines.get(source.id) ?? null) : null,
      thresholds,
      pair,
    };
  });
}

/**
 * Reads the given tenants for a round at `now`. Tenants that are gone or no longer evaluated
 * are simply absent. The caller owns the transaction.
 */
export async function readTenantRows(db: Database, tenantIds: readonly string[], now: Date, windows: SampleWindows = new SampleWindows()): Promise<TenantRows[]> {
  if (tenantIds.length === 0) return [];
  const ids = uuidArray(tenantIds);
  const tenantRows = await queryRows<{
    id: string;
    slug: string;
    latency_objective_ms: number;
    warning_thresholds: Record<string, number>;
    gateway_location: TenantRow["gatewayLocation"];
    transport: TenantRow["transport"];
    subnet: string;
    planned_cutover_on: string | null;
    stretch_started_on: string | null;
  }>(
    db,
    sql`select id, slug, latency_objective_ms, warning_thresholds, gateway_location, transport, subnet,
          to_char(planned_cutover_on, 'YYYY-MM-DD') as planned_cutover_on, to_char(stretch_started_on, 'YYYY-MM-DD') as stretch_started_on
        from tenants where id = any(${ids}) and state in ('onboarding', 'active')`,
  );
  if (tenantRows.length === 0) return [];
  const tunnelRows = await queryRows<{ id: string; tenant_id: string; ordinal: number; name: string; status: string; maintenance_until_ms: number | null }>(
    db,
    sql`select id, tenant_id, ordinal, name, status, ${epochMs(sql`maintenance_until`)} as maintenance_until_ms
        from tunnels where tenant_id = any(${ids})`,
  );
  // Before any sample: see SampleWindows for why the sequence numbers come first.
  const endpointRows = await queryRows<{ id: string; tunnel_id: string; side: Side; hostname: string; last_sample_ms: number | null; seq: string; late_seq: string }>(
    db,
    sql`select e.id, e.tunnel_id, e.side, e.hostname, ${epochMs(sql`e.last_sample_at`)} as last_sample_ms, e.samples_seq as seq, e.late_seq
        from tunnel_endpoints e join tunnels t on t.id = e.tunnel_id where t.tenant_id = any(${ids})`,
  );

  // Each endpoint's window start, from its tenant's thresholds (the default window for a tenant
  // whose thresholds are invalid: it is skipped, but reading a little for it costs nothing).
  const thresholds = new Map(tenantRows.map((t) => [t.id, thresholdsOf({ latencyObjectiveMs: t.latency_objective_ms, warningThresholds: t.warning_thresholds })]));
  const tenantOfTunnel = new Map(tunnelRows.map((t) => [t.id, t.tenant_id]));
  const windowOf = (endpoint: { tunnel_id: string }) => {
    const t = thresholds.get(tenantOfTunnel.get(endpoint.tunnel_id)!);
    return t instanceof ThresholdsError || t === undefined ? null : t;
  };
  const windowed = endpointRows.flatMap((e) => {
    const t = windowOf(e);
    return t ? [{ id: e.id, since: new Date(windowStartOf(t, now)), paths: t.openAfterConsecutive, seq: Number(e.seq), lateSeq: Number(e.late_seq) }] : [];
  });
  const samples = await windows.read(db, windowed, now.getTime());
  const baselines = await readBaselines(db, endpointRows.filter((e) => e.side === "source").map((e) => e.id), now);
  const activeRows = await queryRows<{
    id: string;
    tenant_id: string;
    kind: string;
    dedupe_key: string;
    tunnel_id: string | null;
    severity: ActiveWarning["severity"];
    state: ActiveWarning["state"];
    opened_ms: number;
    last_seen_ms: number;
    clear_since_ms: number | null;
  }>(
    db,
    sql`select id, tenant_id, kind, dedupe_key, tunnel_id, severity, state,
          ${epochMs(sql`opened_at`)} as opened_ms, ${epochMs(sql`last_seen_at`)} as last_seen_ms, ${epochMs(sql`clear_since`)} as clear_since_ms
        from warnings where tenant_id = any(${ids}) and state <> 'resolved'`,
  );

  const date = (ms: number | null) => (ms === null ? null : new Date(Math.round(ms)));
  return tenantRows.map((t) => ({
    tenant: {
      id: t.id,
      slug: t.slug,
      latencyObjectiveMs: t.latency_objective_ms,
      warningThresholds: t.warning_thresholds,
      gatewayLocation: t.gateway_location,
      transport: t.transport,
      subnet: t.subnet,
      plannedCutoverOn: t.planned_cutover_on,
      stretchStartedOn: t.stretch_started_on,
    },
    tunnels: tunnelRows
      .filter((u) => u.tenant_id === t.id)
      .map((u) => ({ id: u.id, tenantId: u.tenant_id, ordinal: u.ordinal, name: u.name, status: u.status, maintenanceUntil: date(u.maintenance_until_ms) })),
    endpoints: endpointRows
      .filter((e) => tenantOfTunnel.get(e.tunnel_id) === t.id)
      .map((e) => ({ id: e.id, tunnelId: e.tunnel_id, side: e.side, hostname: e.hostname, lastSampleAt: date(e.last_sample_ms) })),
    samples,
    baselines,
    active: activeRows
      .filter((w) => w.tenant_id === t.id)
      .map((w) => ({
        id: w.id,
        kind: w.kind,
        dedupeKey: w.dedupe_key,
        tunnelId: w.tunnel_id,
        severity: w.severity,
        state: w.state,
        openedAt: date(w.opened_ms)!,
        lastSeenAt: date(w.last_seen_ms)!,
        clearSince: date(w.clear_since_ms),
      })),
  }));
}

/**
 * The baseline of each source endpoint, as `computeBaselineRtt` defines it (the median of the
 * last week's hourly average RTTs, null below BASELINE_MIN_HOURS of them), computed in SQL:
 * one row per endpoint instead of up to 168. NaN and infinities are not RTTs (NaN sorts above
 * infinity in PostgreSQL, so one comparison drops both).
 */
async function readBaselines(db: Database, endpointIds: string[], now: Date): Promise<Map<string, number | null>> {
  const baselines = new Map<string, number | null>(endpointIds.map((id) => [id, null]));
  if (endpointIds.length === 0) return baselines;
  const rows = await queryRows<{ endpoint_id: string; baseline: number }>(
    db,
    sql`select endpoint_id, percentile_cont(0.5) within group (order by rtt_avg_ms) as baseline
        from telemetry_rollups
        where endpoint_id = any(${uuidArray(endpointIds)}) and resolution = '1h'
          and bucket_start >= ${timeParam(new Date(now.getTime() - BASELINE_WINDOW_DAYS * 86_400_000))}
          and rtt_avg_ms >= 0 and rtt_avg_ms < 'Infinity'::float8
        group by endpoint_id
        having count(*) >= ${BASELINE_MIN_HOURS}`,
  );
  for (const r of rows) baselines.set(r.endpoint_id, r.baseline);
  return baselines;
}
