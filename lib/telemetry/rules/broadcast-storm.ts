/**
 * Broadcast storms: broadcast, unknown-unicast and multicast (BUM) frames are flooded to every
 * port of the stretched VLAN at both sites and across the tunnel, so a loop or a misbehaving host
 * on one side loads the other side's hosts and the tunnel itself.
 */
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import { describeRun, fmt, judgeSides, nameSides, sidesOf, tunnelCondition, verdictDetails, worstOf } from "./samples";
import { type Condition, type RuleInput } from "./types";

export function broadcastStormRule(input: RuleInput): Condition[] {
  const t = input.thresholds;
  const verdicts = judgeSides(input, (s) => s.bumPps, { warning: (v) => v >= t.bumWarningPps, critical: (v) => v >= t.bumCriticalPps });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const numbers = sides.map((s) => `${fmt(verdicts[s]!.latest, 0)} packets/s at the ${SIDE_NAME[s]} (peak ${fmt(verdicts[s]!.peak, 0)})`).join("; ");
  const message =
    `Broadcast, unknown-unicast and multicast traffic seen by ${nameSides(sides)} has been at or above ` +
    `${fmt(severity === "critical" ? t.bumCriticalPps : t.bumWarningPps, 0)} packets/s for ${describeRun(longest, input)}: ${numbers}. ` +
    "Everything flooded on the stretched VLAN crosses the tunnel and reaches every host at both sites. Look for a switching " +
    "loop (a second path between the sites, a bridged VM with two NICs, spanning tree disabled), a host flooding ARP, or " +
    "multicast without IGMP snooping; storm control on the source switch port limits the damage meanwhile.";
  return [
    tunnelCondition(input, "broadcast-storm", severity, message, {
      warningPps: t.bumWarningPps,
      criticalPps: t.bumCriticalPps,
      ...verdictDetails(verdicts),
    }),
  ];
}
