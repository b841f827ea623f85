/**
 * Standby unhealthy: one tunnel carries the traffic and the other could not take over if it
 * failed, because an end of it is in fault. The pair still works, but it is no longer redundant:
 * a warning, with the end and the reason.
 */
import { pairReasonText } from "@/lib/domain/pair-role";
import { SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import { clock, nameTunnel, pairTunnels, settled } from "./pair";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

export function pairStandbyUnhealthyRule(input: RuleInput): Condition[] {
  const tunnels = pairTunnels(input);
  const carrying = tunnels.find((t) => t.ends.source.latest?.role === "active" && t.ends.avs.latest?.role === "active");
  if (!carrying) return [];
  const faults = tunnels
    .filter((t) => t !== carrying)
    .flatMap((t) => SIDES.flatMap((side) => (t.ends[side].latest?.role === "fault" ? [{ tunnel: t, side, report: t.ends[side].latest! }] : [])))
    .filter((f) => settled(input, [f.report]));
  if (faults.length === 0) return [];
  const since = new Date(Math.min(...faults.map((f) => f.report.since.getTime())));
  const message =
    `${nameTunnel(faults[0]!.tunnel)} could not take over if ${nameTunnel(carrying)} failed: ` +
    faults.map((f) => `its ${SIDE_NAME[f.side]} is in fault since ${clock(f.report.since)} (${pairReasonText(f.report.reason)})`).join(", and ") +
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
