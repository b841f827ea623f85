/**
 * Two latency rules. Above the tenant's objective: the contract the tenant was promised. Far
 * above the tunnel's own baseline: a tunnel that usually runs at 3 ms and now runs at 15 ms is in
 * trouble even though 15 ms is inside a 20 ms objective, and a tunnel whose baseline is already
 * above the objective should still say when it gets worse.
 */
import {
  describeRun,
  fmt,
  judgeSides,
  nameSides,
  round,
  type SideVerdict,
  sidesOf,
  tunnelCondition,
  verdictDetails,
  worstOf,
} from "./samples";
import { type Side, SIDE_NAME } from "@/lib/domain/tenant-options";
import { type Condition, type RuleInput } from "./types";

const rtt = (s: { rttMs?: number | null }) => s.rttMs;

/** "now 34.2 ms at the source gateway (median 33.1, peak 36)". */
function nowAt(verdicts: Partial<Record<Side, SideVerdict>>, unit: string): string {
  return sidesOf(verdicts)
    .map((side) => {
      const v = verdicts[side]!;
      return `${fmt(v.latest)} ${unit} at the ${SIDE_NAME[side]} (median ${fmt(v.median)}, peak ${fmt(v.peak)})`;
    })
    .join("; ");
}

export function latencyObjectiveRule(input: RuleInput): Condition[] {
  const objective = input.thresholds.latencyObjectiveMs;
  const critical = objective * input.thresholds.latencyCriticalRatio;
  const verdicts = judgeSides(input, rtt, { warning: (v) => v > objective, critical: (v) => v > critical });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const message =
    `Round-trip time measured by ${nameSides(sides)} has been above the tenant's ${fmt(objective)} ms objective ` +
    `for ${describeRun(longest, input)}: ${nowAt(verdicts, "ms")}` +
    (severity === "critical" ? `, more than ${fmt(input.thresholds.latencyCriticalRatio)}× the objective` : "") +
    ". Check the underlay between the gateways: congestion on the circuit or ISP link, a changed route (compare the hop path), " +
    "or a gateway short of CPU for encryption.";
  return [
    tunnelCondition(input, "latency-objective", severity, message, {
      objectiveMs: objective,
      criticalAboveMs: round(critical),
      baselineRttMs: input.baselineRttMs,
      ...verdictDetails(verdicts),
    }),
  ];
}

export function latencyBaselineRule(input: RuleInput): Condition[] {
  const baseline = input.baselineRttMs;
  if (baseline === null || !Number.isFinite(baseline) || baseline <= 0) return [];
  const t = input.thresholds;
  const farAbove = (ratio: number) => (v: number) => v >= baseline * ratio && v - baseline >= t.baselineMinExcessMs;
  const verdicts = judgeSides(input, rtt, { warning: farAbove(t.baselineWarningRatio), critical: farAbove(t.baselineCriticalRatio) });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const worstLatest = Math.max(...sides.map((s) => verdicts[s]!.latest));
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const message =
    `Round-trip time is ${fmt(worstLatest / baseline)}× this tunnel's usual ${fmt(baseline)} ms ` +
    `(7-day median) for ${describeRun(longest, input)}: ${nowAt(verdicts, "ms")}. ` +
    "Something changed on the path even if the objective still holds: look for a route change (compare the hop path " +
    "with last week's), a congested or failed-over circuit, or the VPN now crossing the internet instead of ExpressRoute.";
  return [
    tunnelCondition(input, "latency-baseline", severity, message, {
      baselineRttMs: round(baseline),
      ratio: round(worstLatest / baseline),
      warningAtMs: round(Math.max(baseline * t.baselineWarningRatio, baseline + t.baselineMinExcessMs)),
      criticalAtMs: round(Math.max(baseline * t.baselineCriticalRatio, baseline + t.baselineMinExcessMs)),
      ...verdictDetails(verdicts),
    }),
  ];
}
