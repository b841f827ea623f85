/**
 * Failover happened: within the window, the tunnel whose source gateway is active changed. Info,
 * with when (the new active end's `since`) and why (what the old active end reports since, or its
 * silence). A fail-back to the primary after its hold-down is a failover too, and says so.
 */
import { pairReasonText } from "@/lib/domain/pair-role";
import { clock, nameTunnel, pairTunnels } from "./pair";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

export function pairFailoverRule(input: RuleInput): Condition[] {
  const tunnels = pairTunnels(input);
  const active = tunnels.filter((t) => t.ends.source.latest?.role === "active");
  // Both active is the both-active rule's business; none active, the no-path rule's.
  if (active.length !== 1) return [];
  const to = active[0]!;
  const at = to.ends.source.latest!.since;
  if (input.now.getTime() - at.getTime() > input.thresholds.windowMinutes * 60_000) return [];
  // The tunnel that carried before: its source gateway reported active before the change.
  const from = tunnels.find((t) => t !== to && t.ends.source.reports.some((r) => r.role === "active" && r.at.getTime() < at.getTime()));
  if (!from) return [];
  // Why: the first role the old active gateway reported once it had stopped being active (later
  // ones, such as recovering into standby, are what happened next, not why).
  const old = from.ends.source;
  const lastActive = Math.max(...old.reports.filter((r) => r.role === "active").map((r) => r.at.getTime()));
  const left = old.reports.find((r) => r.at.getTime() > lastActive && r.role !== "active");
  const failBack = to.ordinal === 1 && left?.role === "standby" && left.reason === "peer-active";
  const why = left
    ? `${nameTunnel(from)}'s source gateway went to ${left.role}: ${pairReasonText(left.reason)}`
    : `${nameTunnel(from)}'s source gateway stopped reporting (it may be down)`;
  const message = failBack
    ? `The pair failed back at ${clock(at)}: ${nameTunnel(to)}, the primary, took the traffic back from ${nameTunnel(from)} after its hold-down.`
    : `The pair failed over at ${clock(at)}: ${nameTunnel(to)} now carries the traffic instead of ${nameTunnel(from)}, because ${why}. ` +
      "Workloads lost a few seconds of traffic; check the reason before the pair has to fail over again.";
  return [
    tenantCondition(input, "pair-failover", "info", message, {
      at: at.toISOString(),
      from: from.ordinal,
      to: to.ordinal,
      failBack,
      reason: left?.reason ?? "silent",
    }),
  ];
}
