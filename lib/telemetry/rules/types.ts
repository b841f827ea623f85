/**
 * What a warning rule sees and what it says. A rule looks at ONE tunnel: its tenant's facts, the
 * recent samples from both ends, the tunnel's own baseline, the tenant's thresholds and `now`.
 * The evaluation job builds this from the database; nothing here reads it.
 */
import type { PairEndRole, WarningSeverity } from "@/lib/domain/status";
import type { GatewayLocation, Side } from "@/lib/domain/tenant-options";
import type { WarningKind } from "@/lib/domain/warning-kinds";
import type { Thresholds } from "@/lib/telemetry/thresholds";

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
  /** In an active/standby pair: this end's role when measured, since when and why. */
  pairRole?: PairEndRole | null;
  pairSince?: Date | null;
  pairReason?: string | null;
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
    gatewayLocation: GatewayLocation;
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
  /**
   * Every tunnel of the tenant, this one included, with both ends' recent samples: what the
   * active/standby pair's rules judge (rules/pair-*.ts). Null for a tenant with one tunnel.
   */
  pair: { tunnels: PairTunnelInput[] } | null;
};

export type PairTunnelInput = { id: string; ordinal: number; name: string; sides: Record<Side, SideInput> };


/** What a rule reports: one row of the `warnings` table in the making. */
export type Condition = {
  kind: WarningKind;
  severity: WarningSeverity;
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
