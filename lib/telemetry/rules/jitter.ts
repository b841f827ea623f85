/** Jitter: variation in delay hurts voice, video and storage replication before averages move. */
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import { describeRun, fmt, judgeSides, nameSides, sidesOf, tunnelCondition, verdictDetails, worstOf } from "./samples";
import { type Condition, type RuleInput } from "./types";

export function jitterRule(input: RuleInput): Condition[] {
  const t = input.thresholds;
  const verdicts = judgeSides(input, (s) => s.jitterMs, { warning: (v) => v >= t.jitterWarningMs, critical: (v) => v >= t.jitterCriticalMs });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const numbers = sides.map((s) => `${fmt(verdicts[s]!.latest)} ms at the ${SIDE_NAME[s]} (peak ${fmt(verdicts[s]!.peak)})`).join("; ");
  const message =
    `Jitter measured by ${nameSides(sides)} has been at or above ${fmt(severity === "critical" ? t.jitterCriticalMs : t.jitterWarningMs)} ms ` +
    `for ${describeRun(longest, input)}: ${numbers}. ` +
    "Delay this uneven usually means a congested link or queue on the underlay (or a gateway starved of CPU); " +
    "check interface utilisation and drops along the path, and QoS on the circuit.";
  return [
    tunnelCondition(input, "jitter", severity, message, {
      warningMs: t.jitterWarningMs,
      criticalMs: t.jitterCriticalMs,
      ...verdictDetails(verdicts),
    }),
  ];
}
