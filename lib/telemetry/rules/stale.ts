/**
 * Stale telemetry, one condition per silent side (dedupe key `stale:<tunnel>:<side>`), so the
 * operator sees which agent stopped. An agent that has never reported is info: that is a tunnel
 * being set up, not one that broke. One that reported and stopped is a warning: the console can
 * no longer vouch for the tunnel (health.ts shows it stale when both sides are silent).
 */
import { type Side, SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import { staleAfterMs } from "@/lib/telemetry/thresholds";
import { isSilent, lastReportAt, tunnelCondition } from "./samples";
import { type Condition, type RuleInput } from "./types";

export function staleRule(input: RuleInput): Condition[] {
  const silent = SIDES.filter((side) => isSilent(input, side));
  const both = silent.length === 2;
  return silent.map((side: Side) => {
    const last = lastReportAt(input, side);
    const interval = input.thresholds.sampleIntervalSeconds;
    const other = both ? " Neither end is reporting, so the tunnel's state is unknown." : "";
    if (!last) {
      return tunnelCondition(
        input,
        "stale",
        "info",
        `The ${SIDE_NAME[side]}'s telemetry agent has never reported. Install and start it with the agent config from ` +
          `the tunnel's downloads (it sends a sample every ${interval} s with its own token).${other}`,
        { side, lastSampleAt: null, staleAfterSeconds: staleAfterMs(input.thresholds) / 1000 },
        `:${side}`,
      );
    }
    // "Since" a time rather than "for N minutes": the warning's text stays true while nothing
    // arrives, and the evaluation need not rewrite it every round (lib/telemetry/evaluation/deadline.ts).
    return tunnelCondition(
      input,
      "stale",
      "warning",
      `No telemetry from the ${SIDE_NAME[side]} since ${last.toISOString()} (expected every ${interval} s). ` +
        `The gateway or its agent may be down, or the agent cannot reach the console over HTTPS: check the agent's service and log, ` +
        `its clock, and whether its token was rotated.${other}`,
      { side, lastSampleAt: last.toISOString(), staleAfterSeconds: staleAfterMs(input.thresholds) / 1000 },
      `:${side}`,
    );
  });
}
