/**
 * Standby unhealthy: one tunnel carries the traffic and the other could not take over if it
 * failed, because an end of it is in fault, or stands by on a host whose keepalived no longer runs
 * its checks ("keepalived-silent": keepalived died without a word, so the role file still says
 * standby, but nothing would ever open that end's port). The pair still works, but it is no
 * longer redundant: a warning, with the end and the reason.
 */
import { pairReasonText, type PairEndReport } from "@/lib/domain/pair-role";
import { SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import { clock, nameTunnel, pairTunnels, settled } from "./pair";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

/** The agent's word for a role file that keepalived has stopped keeping up to date (telemetry-agent-script.ts). */
const KEEPALIVED_SILENT = "keepalived-silent";

function cannotTakeOver(report: PairEndReport | null): boolean {
  return report !== null && (report.role === "fault" || report.reason === KEEPALIVED_SILENT);
}

export function pairStandbyUnhealthyRule(input: RuleInput): Condition[] {
  const tunnels = pairTunnels(input);
  const carrying = tunnels.find((t) => t.ends.source.latest?.role === "active" && t.ends.avs.latest?.role === "active");
  if (!carrying) return [];
  const faults = tunnels
    .filter((t) => t !== carrying)
    .flatMap((t) => SIDES.flatMap((side) => (cannotTakeOver(t.ends[side].latest) ? [{ tunnel: t, side, report: t.ends[side].latest! }] : [])))
    // A silent keepalived is judged by the agent's own heartbeat check, not by how long the role is held.
    .filter((f) => f.report.reason === KEEPALIVED_SILENT || settled(input, [f.report]));
  if (faults.length === 0) return [];
  const since = new Date(Math.min(...faults.map((f) => f.report.since.getTime())));
  const message =
    `${nameTunnel(faults[0]!.tunnel)} could not take over if ${nameTunnel(carrying)} failed: ` +
    faults
      .map((f) =>
        f.report.role === "fault"
          ? `its ${SIDE_NAME[f.side]} is in fault since ${clock(f.report.since)} (${pairReasonText(f.report.reason)})`
          : `its ${SIDE_NAME[f.side]} has stood by since ${clock(f.report.since)}, but ${pairReasonText(f.report.reason)}: restart keepalived there`,
      )
      .join(", and ") +
    ". The pair still carries the traffic, but without a standby one more failure cuts the stretched VLAN." +
    (faults.some((f) => f.report.reason === "forced") ? " An operator forced it: run the pair helper's resume command when the work is done." : "");
  return [
    tenantCondition(input, "pair-standby-unhealthy", "warning", message, {
      since: since.toISOString(),
      carrying: carrying.ordinal,
      faults: faults.map((f) => ({ ordinal: f.tunnel.ordinal, side: f.side, reason: f.report.reason, since: f.report.since.toISOString() })),
    }),
  ];
}
