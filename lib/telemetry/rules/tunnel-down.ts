/**
 * Down and flapping, both read from the loss each agent measures across the tunnel. Down: every
 * side that still reports has seen 100 % loss for `openAfterConsecutive` samples in a row. One
 * side silent and the other seeing total loss is down too; it is the usual picture when the far
 * gateway itself died (its agent goes quiet with it). Both sides silent is not down but stale:
 * the console then knows nothing about the tunnel (health.ts).
 */
import { type Side, SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import { describeRun, isSilent, recentSamples, tunnelCondition } from "./samples";
import { type Condition, type RuleInput, type RuleSample } from "./types";

const isDown = (lossPct: number) => lossPct >= 100;

/** The newest run of total-loss samples: its length and when it began. */
function outageRun(samples: readonly RuleSample[]): { count: number; since: Date | null } {
  let count = 0;
  let since: Date | null = null;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.lossPct === null || s.lossPct === undefined) continue;
    if (!isDown(s.lossPct)) break;
    count++;
    since = s.measuredAt;
  }
  return { count, since };
}

function hhmm(d: Date): string {
  return `${d.toISOString().slice(11, 16)} UTC`;
}

export function tunnelDownRule(input: RuleInput): Condition[] {
  const reporting = SIDES.filter((side) => !isSilent(input, side));
  if (reporting.length === 0) return [];
  const needed = input.thresholds.openAfterConsecutive;
  const runs = new Map<Side, { count: number; since: Date | null }>();
  for (const side of reporting) {
    const run = outageRun(recentSamples(input, side));
    if (run.count < needed) return [];
    runs.set(side, run);
  }
  const since = new Date(Math.min(...[...runs.values()].map((r) => r.since!.getTime())));
  const longest = Math.max(...[...runs.values()].map((r) => r.count));
  const ipsec = input.tenant.transport === "ipsec-vpn" ? ", that the IPsec security associations are up" : "";
  let message: string;
  if (reporting.length === 2) {
    message =
      `No traffic crosses the tunnel: both the source gateway and the AVS edge bridge have seen 100 % loss for ` +
      `${describeRun(longest, input)}, since ${hhmm(since)}. Check that both gateways are running${ipsec}, and that each ` +
      "can reach the other's underlay address outside the tunnel (firewall rules for the encapsulation's UDP/IP port).";
  } else {
    const up = reporting[0]!;
    const silent: Side = up === "source" ? "avs" : "source";
    message =
      `No traffic crosses the tunnel: the ${SIDE_NAME[up]} has seen 100 % loss for ${describeRun(longest, input)}, since ` +
      `${hhmm(since)}, and the ${SIDE_NAME[silent]} has stopped reporting. The ${silent === "avs" ? "AVS" : "source"} end is ` +
      `probably down: check that the ${SIDE_NAME[silent]} is running${ipsec}, then its underlay reachability.`;
  }
  return [
    tunnelCondition(input, "tunnel-down", "critical", message, {
      since: since.toISOString(),
      reportingSides: reporting,
      consecutive: Object.fromEntries([...runs].map(([side, r]) => [side, r.count])),
    }),
  ];
}

/** Down↔up transitions in a side's recent samples (samples without a loss figure are skipped). */
export function countTransitions(samples: readonly RuleSample[]): number {
  let previous: boolean | null = null;
  let transitions = 0;
  for (const s of samples) {
    if (s.lossPct === null || s.lossPct === undefined) continue;
    const down = isDown(s.lossPct);
    if (previous !== null && down !== previous) transitions++;
    previous = down;
  }
  return transitions;
}

export function flappingRule(input: RuleInput): Condition[] {
  const t = input.thresholds;
  const counts = SIDES.map((side) => ({ side, transitions: countTransitions(recentSamples(input, side)) }));
  const worst = counts.reduce((a, b) => (b.transitions > a.transitions ? b : a));
  if (worst.transitions < t.flapTransitions) return [];
  const severity = worst.transitions >= 2 * t.flapTransitions ? "critical" : "warning";
  const outages = Math.ceil(worst.transitions / 2);
  const message =
    `The tunnel keeps dropping and coming back: ${worst.transitions} down/up transitions in the last ${t.windowMinutes} minutes ` +
    `as seen by the ${SIDE_NAME[worst.side]} (about ${outages} outage${outages === 1 ? "" : "s"}). Each drop breaks ` +
    "long-lived connections and can trigger failovers at both sites. Look for an unstable underlay (interface errors, a " +
    "failing circuit or ISP link), IPsec rekey or dead-peer-detection failures, or a gateway that restarts.";
  return [
    tunnelCondition(input, "flapping", severity, message, {
      windowMinutes: t.windowMinutes,
      threshold: t.flapTransitions,
      transitions: Object.fromEntries(counts.map((c) => [c.side, c.transitions])),
    }),
  ];
}
