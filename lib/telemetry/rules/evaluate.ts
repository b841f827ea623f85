/**
 * Runs every rule for one tunnel, and for all of a tenant's tunnels at once, and says which
 * existing warnings must be held rather than cleared because the console cannot currently see.
 */
import { severityRank } from "@/lib/domain/status";
import { SIDES } from "@/lib/domain/tenant-options";
import type { WarningKind } from "@/lib/domain/warning-kinds";
import { asymmetricRoutingRule } from "./asymmetric-routing";
import { broadcastStormRule } from "./broadcast-storm";
import { jitterRule } from "./jitter";
import { latencyBaselineRule, latencyObjectiveRule } from "./latency";
import { lossRule } from "./loss";
import { macFloodRule } from "./mac-flood";
import { pairBothActiveRule } from "./pair-both-active";
import { pairFailoverRule } from "./pair-failover";
import { pairNoActivePathRule } from "./pair-no-active-path";
import { pairStandbyUnhealthyRule } from "./pair-standby-unhealthy";
import { pathMtuRule } from "./path-mtu";
import { isSilent } from "./samples";
import { singlePointOfFailureRule } from "./single-point-of-failure";
import { staleRule } from "./stale";
import { stretchPastCutoverRule } from "./stretch-past-cutover";
import { tromboningRule } from "./tromboning";
import { flappingRule, tunnelDownRule } from "./tunnel-down";
import { type Condition, type Rule, type RuleInput } from "./types";

export const RULES: Readonly<Record<WarningKind, Rule>> = {
  "tunnel-down": tunnelDownRule,
  flapping: flappingRule,
  stale: staleRule,
  "latency-objective": latencyObjectiveRule,
  "latency-baseline": latencyBaselineRule,
  jitter: jitterRule,
  loss: lossRule,
  "path-mtu": pathMtuRule,
  "asymmetric-routing": asymmetricRoutingRule,
  "broadcast-storm": broadcastStormRule,
  "mac-flood": macFloodRule,
  tromboning: tromboningRule,
  "single-point-of-failure": singlePointOfFailureRule,
  "stretch-past-cutover": stretchPastCutoverRule,
  "pair-both-active": pairBothActiveRule,
  "pair-no-active-path": pairNoActivePathRule,
  "pair-standby-unhealthy": pairStandbyUnhealthyRule,
  "pair-failover": pairFailoverRule,
};

/**
 * Conditions a down tunnel makes meaningless: with 100 % loss there is no RTT or jitter to
 * judge, loss is the down condition itself, DF probes and traces fail with everything else.
 * Reporting them beside "tunnel down" would bury the one message that matters.
 */
const SUPERSEDED_BY_DOWN: ReadonlySet<WarningKind> = new Set<WarningKind>([
  "latency-objective",
  "latency-baseline",
  "jitter",
  "loss",
  "path-mtu",
  "asymmetric-routing",
]);

export function inMaintenance(input: RuleInput, now: Date = input.now): boolean {
  return input.tunnel.maintenanceUntil !== null && input.tunnel.maintenanceUntil.getTime() > now.getTime();
}

/** Every condition for one tunnel now. Nothing at all during maintenance: that is what it is for. */
export function evaluateTunnel(input: RuleInput): Condition[] {
  if (inMaintenance(input)) return [];
  const conditions = Object.values(RULES).flatMap((rule) => rule(input));
  if (!conditions.some((c) => c.kind === "tunnel-down")) return conditions;
  return conditions.filter((c) => !SUPERSEDED_BY_DOWN.has(c.kind));
}

/**
 * One evaluation of a tenant, ready for `reconcileWarnings`.
 * - `conditions`: every tunnel's conditions; a tenant-scoped condition (same dedupe key from
 *   each tunnel) appears once, at its highest severity.
 * - `heldTunnelIds`: tunnels whose missing conditions mean "cannot tell", not "cleared": in
 *   maintenance, silent on both sides, or down. Their other warnings stay as they are instead
 *   of resolving while nobody can see (an RTT warning is not fixed by the tunnel going down).
 * - `tenantWideHeld`: the same for tenant-scoped warnings, when no tunnel was evaluated (all in
 *   maintenance, or none given).
 */
export type Evaluation = { conditions: Condition[]; heldTunnelIds: string[]; tenantWideHeld: boolean };

export function evaluateTenant(inputs: readonly RuleInput[]): Evaluation {
  const tenantIds = new Set(inputs.map((i) => i.tenant.id));
  if (tenantIds.size > 1) throw new Error(`evaluateTenant takes one tenant's tunnels; got tunnels of ${tenantIds.size} tenants.`);
  const byKey = new Map<string, Condition>();
  const heldTunnelIds: string[] = [];
  for (const input of inputs) {
    const conditions = evaluateTunnel(input);
    for (const c of conditions) {
      const existing = byKey.get(c.dedupeKey);
      if (!existing || severityRank(c.severity) > severityRank(existing.severity)) byKey.set(c.dedupeKey, c);
    }
    const blind = SIDES.every((side) => isSilent(input, side));
    if (inMaintenance(input) || blind || conditions.some((c) => c.kind === "tunnel-down")) heldTunnelIds.push(input.tunnel.id);
  }
  return {
    conditions: [...byKey.values()],
    heldTunnelIds,
    tenantWideHeld: !inputs.some((input) => !inMaintenance(input)),
  };
}
