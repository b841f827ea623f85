/**
 * The active/standby pair as the console sees it: each end's reported role (its agent reads the
 * pair helper's role file, lib/gateway/targets/linux-pair.ts), what that makes of the tunnel, and
 * the helper's reasons in words. Pure: the tenant page, the NOC wall and the warning rules share it.
 */
import type { PairEndRole, TunnelPairRole } from "./status";
import type { Side } from "./tenant-options";

/** One end's newest report: its role, since when, why, and when the agent measured it. */
export type PairEndReport = { role: PairEndRole; since: Date; reason: string; at: Date };

/**
 * What a tunnel does, from its ends' newest reports (null for an end whose agent is silent or
 * never reported a role). Both active: it carries the traffic. Either end in fault while it does
 * not: it cannot take over. One active, one not: half active (a moment in a failover, or a pair
 * whose two sides chose different tunnels). Both standing by: standby.
 */
export function tunnelPairRole(ends: Record<Side, PairEndReport | null>): TunnelPairRole {
  return pairRoleOfEnds(ends.source?.role ?? null, ends.avs?.role ?? null);
}

/** tunnelPairRole from the two ends' believed roles alone (the NOC wall reads only those). */
export function pairRoleOfEnds(source: PairEndRole | null, avs: PairEndRole | null): TunnelPairRole {
  if (!source || !avs) return "unknown";
  if (source === "active" && avs === "active") return "carrying";
  if (source === "fault" || avs === "fault") return "fault";
  if (source === "active" || avs === "active") return "half";
  return "standby";
}

/** The pair helper's reason words (the agent reports them as they are), for messages and the page. */
const REASONS: Record<string, string> = {
  startup: "it has just started",
  elected: "it won the election",
  "peer-active": "the other tunnel's end is active",
  forced: "an operator holds it in standby (fail over now)",
  "lan-down": "its LAN port is down",
  "segment-down": "its segment port is down",
  "underlay-down": "its underlay NIC is down",
  "tunnel-silent": "the other end stopped answering through the tunnel",
  "peer-unreachable": "it cannot reach the other end over the underlay",
  "bridge-down": "its tenant bridge is down (at start, the bridge comes up up to a second after its ports)",
  "link-flap": "a link keepalived watches was down for a moment and is up again",
  "check-timeout": "its health check ran past keepalived's time limit and was stopped (an overloaded host?)",
  unknown: "the pair helper could not tell why",
  stopped: "keepalived stopped",
  "keepalived-silent": "keepalived stopped running its checks, so its tunnel port stays as it was",
};

export function pairReasonText(reason: string): string {
  return REASONS[reason] ?? `the pair helper says "${reason}"`;
}

/** An endpoint row's stored role, if its report is recent enough to be believed (else null: unknown). */
export function storedPairReport(
  row: { pairRole: PairEndRole | null; pairSince: Date | null; pairReason: string | null; pairReportedAt: Date | null },
  now: Date,
  maxAgeMs: number,
): PairEndReport | null {
  if (!row.pairRole || !row.pairSince || !row.pairReportedAt) return null;
  if (now.getTime() - row.pairReportedAt.getTime() > maxAgeMs) return null;
  return { role: row.pairRole, since: row.pairSince, reason: row.pairReason ?? "unknown", at: row.pairReportedAt };
}
