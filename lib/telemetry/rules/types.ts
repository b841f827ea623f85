/**
 * What a warning rule sees and what it says. A rule looks at ONE tunnel: its tenant's facts, the
 * recent samples from both ends, the tunnel's own baseline, the tenant's thresholds and `now`.
 * The evaluation job builds this from the database; nothing here reads it.
 */
import type { Thresholds } from "@/lib/telemetry/thresholds";

export type Side = "source" | "avs";
export const SIDES: readonly Side[] = ["source", "avs"];
export type Severity = "info" | "warning" | "critical";

/** How operators name each end in messages. */
export const SIDE_NAME: Record<Side, string> = { source: "source gateway", avs: "AVS edge bridge" };

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

export type PathHop = { ttl: number; address: string | null; rttMs: number | null };

/**
 * One telemetry sample. The shape is a subset of a `telemetry_samples` row (a row can be passed
 * as is); everything but the time may be missing because agents send what they measured.
 */
export type RuleSample = {
  measuredAt: Date;
  rttMs?: number | null;
  jitterMs?: number | null;
  lossPct?: number | null;
  dfProbeBytes?: number | null;
  dfProbeOk?: boolean | null;
  /** Hop path toward the other end, by ascending TTL; the last hop is the far gateway. */
  path?: PathHop[] | null;
  bumPps?: number | null;
  learnedMacs?: number | null;
};

export type SideInput = {
  /** Recent samples from this end's agent, newest last (the rules sort and window them anyway). */
  samples: RuleSample[];
  /** `tunnel_endpoints.last_sample_at`; null when the agent never reported. */
  lastSampleAt: Date | null;
};

export type RuleInput = {
  now: Date;
  tenant: {
    id: string;
    slug: string;
    latencyObjectiveMs: number;
    gatewayLocation: "source" | "avs";
    transport: "ipsec-vpn" | "expressroute-global-reach" | "sd-wan";
    subnet: string;
    /** ISO date (YYYY-MM-DD), as drizzle returns a `date` column; null when none was planned. */
    plannedCutoverOn: string | null;
    stretchStartedOn?: string | null;
  };
  tunnel: {
    id: string;
    ordinal: number;
    name?: string;
    maintenanceUntil: Date | null;
  };
  /** What the job knows about the tenant's redundancy, from configuration and both tunnels' data. */
  redundancy: {
    /** How many tunnels the tenant has, this one included. */
    tunnelCount: number;
    /** The gateway host both tunnels run on at either end (hostname or underlay IP), or null when they differ or there is one tunnel. */
    sharedGatewayHost: string | null;
    /** The first answering underlay hop both tunnels' paths leave through, or null when they differ or are unknown (see `firstAnsweringHop`). */
    sharedUnderlayFirstHop: string | null;
  };
  /**
   * Where most of the segment's workloads are, as the job derives it (e.g. from MAC addresses
   * learned locally at each end); "unknown" when it cannot tell.
   */
  workloadsMostlyIn: Side | "unknown";
  sides: Record<Side, SideInput>;
  /** The tunnel's usual RTT (`computeBaselineRtt`), or null while there is too little history. */
  baselineRttMs: number | null;
  thresholds: Thresholds;
};

/**
 * The kinds of condition the rules produce. `degradesTunnel`: whether a warning- or critical-
 * severity condition of this kind makes the tunnel's status "degraded" (lib/telemetry/health.ts).
 * Conditions about the tunnel's path or traffic degrade it; conditions about the tenant's design
 * or plan (cut-over date, redundancy, gateway placement) do not, because the tunnel itself carries
 * traffic fine and a red tile would teach the NOC to ignore red tiles. `scope`: a tenant-scoped
 * condition is about the tenant as a whole and is reported once, not once per tunnel.
 */
export const WARNING_KINDS = {
  "tunnel-down": { label: "Tunnel down", scope: "tunnel", degradesTunnel: true },
  flapping: { label: "Tunnel flapping", scope: "tunnel", degradesTunnel: true },
  stale: { label: "No telemetry", scope: "tunnel", degradesTunnel: true },
  "latency-objective": { label: "Latency above objective", scope: "tunnel", degradesTunnel: true },
  "latency-baseline": { label: "Latency far above baseline", scope: "tunnel", degradesTunnel: true },
  jitter: { label: "Jitter", scope: "tunnel", degradesTunnel: true },
  loss: { label: "Packet loss", scope: "tunnel", degradesTunnel: true },
  "path-mtu": { label: "Path MTU too small", scope: "tunnel", degradesTunnel: true },
  "asymmetric-routing": { label: "Asymmetric routing", scope: "tunnel", degradesTunnel: true },
  "broadcast-storm": { label: "Broadcast storm", scope: "tunnel", degradesTunnel: true },
  "mac-flood": { label: "MAC flood", scope: "tunnel", degradesTunnel: true },
  tromboning: { label: "Tromboning", scope: "tenant", degradesTunnel: false },
  "single-point-of-failure": { label: "Single point of failure", scope: "tenant", degradesTunnel: false },
  "stretch-past-cutover": { label: "Stretch past cut-over", scope: "tenant", degradesTunnel: false },
} as const satisfies Record<string, { label: string; scope: "tunnel" | "tenant"; degradesTunnel: boolean }>;

export type WarningKind = keyof typeof WARNING_KINDS;

/** What a rule reports: one row of the `warnings` table in the making. */
export type Condition = {
  kind: WarningKind;
  severity: Severity;
  /** Stable for the same condition on the same tunnel (or tenant), so the warning is updated, not opened twice. */
  dedupeKey: string;
  tenantId: string;
  /** Null for tenant-scoped conditions. */
  tunnelId: string | null;
  /** Plain words for an operator: what is wrong, the numbers, what to check. */
  message: string;
  /** The numbers behind the message, for charts and for the record. */
  details: Record<string, unknown>;
};

export type Rule = (input: RuleInput) => Condition[];
