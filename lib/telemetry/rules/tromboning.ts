/**
 * Tromboning: the segment's default gateway sits on one side of the tunnel and most of its
 * workloads on the other, so every packet those workloads route off the subnet crosses the
 * tunnel to the gateway and comes back. The console knows where the gateway is (the tenant's
 * `gatewayLocation`) and, from the job, where most workloads are (`workloadsMostlyIn`, derived
 * from MAC addresses learned at each end); it cannot see individual flows, so the message says
 * what the placement costs rather than claiming traffic it did not measure.
 */
import { SIDES } from "@/lib/domain/tenant-options";
import { median, recentSamples, round, tenantCondition, fmt } from "./samples";
import { type Condition, type RuleInput } from "./types";

const PLACE = { source: "at the source site", avs: "in AVS" } as const;

function currentRttMs(input: RuleInput): number | null {
  const rtts = SIDES.flatMap((side) => recentSamples(input, side).map((s) => s.rttMs)).filter(
    (v): v is number => typeof v === "number" && Number.isFinite(v),
  );
  if (rtts.length > 0) return median(rtts);
  return input.baselineRttMs;
}

export function tromboningRule(input: RuleInput): Condition[] {
  const gateway = input.tenant.gatewayLocation;
  const workloads = input.workloadsMostlyIn;
  if (workloads === "unknown" || workloads === gateway) return [];
  const rtt = currentRttMs(input);
  const cost = rtt !== null ? `about ${fmt(rtt)} ms (the tunnel's round trip) added to every routed exchange` : "the tunnel's round trip added to every routed exchange";
  const fix =
    gateway === "source"
      ? "If the migration is nearly done, move the default gateway to the NSX-T Tier-1 in AVS as part of the cut-over; until then, keep chatty routed traffic (to databases, DNS, backup) on the same side as its clients."
      : "Most workloads are still at the source site: either move the gateway back to the source until more workloads have migrated, or migrate the rest.";
  const message =
    `The default gateway for ${input.tenant.subnet} is ${PLACE[gateway]}, but most of the segment's workloads are ${PLACE[workloads]}. ` +
    `Every packet they send off the subnet crosses the tunnel to the gateway and back (tromboning): ${cost}, and the tunnel ` +
    `carries that traffic twice. ${fix}`;
  return [
    tenantCondition(input, "tromboning", "warning", message, {
      gatewayLocation: gateway,
      workloadsMostlyIn: workloads,
      tunnelRttMs: rtt === null ? null : round(rtt),
    }),
  ];
}
