/**
 * What the stretch's pre-checks see and say. The evidence is what the console already holds
 * (tunnel status, open warnings, the private cloud as read from Azure, the address space) and
 * what the agents report (each end's newest MAC lists and gateway probe, their tunnel counters);
 * lib/queries/stretch.ts gathers it, and every check is a pure function of it.
 */
import type { MacReport } from "@/lib/db/schema";
import type { AddressConflict } from "@/lib/domain/reserved-space";
import type { CheckOutcome, SegmentState, StretchStage, TunnelStatus, WarningSeverity, WarningState } from "@/lib/domain/status";
import type { GatewayLocation, Side } from "@/lib/domain/tenant-options";

export type CheckId =
  | "ends-reporting"
  | "critical-warnings"
  | "workload-placement"
  | "gateway-address"
  | "tier1-exists"
  | "tier1-overlap"
  | "tromboning-cleared"
  | "no-workloads-left"
  | "tunnels-attached"
  | "recent-traffic"
  | "segment-workloads";

export type CheckResult = {
  id: CheckId;
  title: string;
  outcome: CheckOutcome;
  /** One sentence: what the evidence says and what it means for the step. */
  summary: string;
  /** The facts behind it, one per line (times, counts, MAC addresses, names). */
  evidence: string[];
};

export type EndEvidence = {
  side: Side;
  hostname: string;
  /** When the end's agent last reported anything. */
  lastSampleAt: Date | null;
  /** The newest MAC lists and gateway probe, and when they were measured. */
  macReport: MacReport | null;
  macReportedAt: Date | null;
  /** The newest sample's count of MACs learned on this end's own ports (agents older than the lists send only this). */
  learnedMacs: number | null;
  /** How many bytes the tunnel device moved in the traffic window, from its counters; null without two readings. */
  traffic: { bytes: number; seconds: number } | null;
};

export type TunnelEvidence = {
  id: string;
  name: string;
  ordinal: number;
  status: TunnelStatus;
  ends: Partial<Record<Side, EndEvidence>>;
};

export type WarningEvidence = {
  kind: string;
  severity: WarningSeverity;
  state: Exclude<WarningState, "resolved">;
  tunnelId: string | null;
  message: string;
  openedAt: Date;
};

export type StretchEvidence = {
  now: Date;
  /** An end is reporting when it sent something this recently (the evaluation's own stale limit). */
  staleAfterMs: number;
  tenant: { slug: string; subnet: string; stage: StretchStage; gatewayLocation: GatewayLocation };
  /** The cut-over plan (from the stage "cut-over planned" on); null before one. */
  plan: { gatewayAddress: string; tier1Id: string } | null;
  tunnels: TunnelEvidence[];
  /** The tenant's warnings that are open or acknowledged. */
  warnings: WarningEvidence[];
  cloud: { name: string; tier1Gateways: { id: string; displayName: string }[]; lastSyncedAt: Date | null };
  /** What the subnet overlaps in the private cloud, from checkSubnetAddressSpace with this tenant excepted. */
  addressConflicts: AddressConflict[];
  segment: { state: SegmentState; gatewayAddress: string | null; tier1GatewayId: string | null; portVifs: string[] | null; checkedAt: Date | null } | null;
};

export type Check = (evidence: StretchEvidence) => CheckResult;
