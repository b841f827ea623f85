/**
 * Packet loss below 100 %. Total loss on every reporting side is the tunnel-down rule's business,
 * and while the tunnel is down this rule's condition is dropped (rules/evaluate.ts).
 */
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import { describeRun, fmt, judgeSides, nameSides, sidesOf, tunnelCondition, verdictDetails, worstOf } from "./samples";
import { type Condition, type RuleInput } from "./types";

export function lossRule(input: RuleInput): Condition[] {
  const t = input.thresholds;
  const verdicts = judgeSides(input, (s) => s.lossPct, { warning: (v) => v >= t.lossWarningPct, critical: (v) => v >= t.lossCriticalPct });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const numbers = sides.map((s) => `${fmt(verdicts[s]!.latest, 2)} % at the ${SIDE_NAME[s]} (peak ${fmt(verdicts[s]!.peak, 2)} %)`).join("; ");
  const oneSided =
    sides.length === 1
      ? ` Only the ${SIDE_NAME[sides[0]!]} sees it, so look first at the direction toward the ${SIDE_NAME[sides[0] === "source" ? "avs" : "source"]}.`
      : "";
  const message =
    `Packet loss measured by ${nameSides(sides)} has been at or above ${fmt(severity === "critical" ? t.lossCriticalPct : t.lossWarningPct, 2)} % ` +
    `for ${describeRun(longest, input)}: ${numbers}.${oneSided} ` +
    "Loss across the tunnel cuts TCP throughput for every workload on the segment; check the underlay for errors or drops " +
    "(interface counters, the ISP or ExpressRoute circuit) and the gateways for CPU or queue exhaustion.";
  return [
    tunnelCondition(input, "loss", severity, message, {
      warningPct: t.lossWarningPct,
      criticalPct: t.lossCriticalPct,
      ...verdictDetails(verdicts),
    }),
  ];
}
