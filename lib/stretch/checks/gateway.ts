/**
 * Can the Tier-1 take the gateway: the planned address is one of the subnet's hosts and nobody
 * else answers for it, the Tier-1 exists in the private cloud, and the subnet overlaps nothing
 * the Tier-1 (or the private cloud around it) already routes.
 */
import { describeConflicts } from "@/lib/domain/reserved-space";
import { gatewayHost, parseGatewayAddress } from "@/lib/domain/stretch";
import { allEnds, describeAge, endLabel, isFresh, listMacs, locateWorkloads } from "./evidence";
import type { CheckResult, StretchEvidence } from "./types";

const NO_PLAN = "No cut-over is planned yet: plan one (gateway address and Tier-1) first.";

/**
 * The planned gateway address: inside the subnet, not its network or broadcast address, and not
 * in use by a host other than the source site's current gateway. The agents probe the address
 * with ARP (RFC 5227 probes, sender 0.0.0.0) on their own side's ports:
 *   - nobody answers: the address is free for the Tier-1 (the source gateway has let it go);
 *   - a host at the source answers: the current gateway still holds it; remove it with the
 *     cut-over file first, or it and the Tier-1 will both answer for one address;
 *   - a host in AVS answers, or several do: the address is in use by another host.
 */
export function gatewayAddressCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "gateway-address" as const, title: "Planned gateway address free" };
  if (!evidence.plan) return { ...base, outcome: "fail", summary: NO_PLAN, evidence: [] };
  const parsed = parseGatewayAddress(gatewayHost(evidence.plan.gatewayAddress), evidence.tenant.subnet);
  if (!parsed.ok) return { ...base, outcome: "fail", summary: parsed.error, evidence: [`Planned: ${evidence.plan.gatewayAddress}; subnet ${evidence.tenant.subnet}.`] };
  const host = parsed.host;
  if (host.includes(":")) {
    return {
      ...base,
      outcome: "warn",
      summary: `${host} is IPv6, which has no ARP: the agents cannot probe it. Check by hand that no host but the source gateway holds it.`,
      evidence: [],
    };
  }
  const probes = allEnds(evidence).filter(({ end }) => end.macReport?.gatewayProbe?.address === host && isFresh(end.macReportedAt, evidence));
  const elsewhere = allEnds(evidence)
    .filter(({ end }) => end.macReport?.gatewayProbe && end.macReport.gatewayProbe.address !== host)
    .map(({ end }) => end.macReport!.gatewayProbe!.address);
  if (probes.length === 0) {
    const hint = elsewhere.length > 0 ? ` (they probe ${[...new Set(elsewhere)].join(", ")}: download the agents' settings again since the plan changed)` : "";
    return {
      ...base,
      outcome: "warn",
      summary: `No agent has recently probed ${host}${hint}, so whether another host uses it is unknown.`,
      evidence: [`${host} is a host address of ${evidence.tenant.subnet}.`],
    };
  }
  const map = locateWorkloads(evidence);
  const bySide = { source: new Set<string>(), avs: new Set<string>() };
  const lines = [`${host} is a host address of ${evidence.tenant.subnet}.`];
  for (const probe of probes) {
    const answered = probe.end.macReport!.gatewayProbe!.answeredBy;
    for (const mac of answered) bySide[probe.end.side].add(mac);
    lines.push(`${endLabel(probe)} probed ${describeAge(probe.end.macReportedAt, evidence.now)}: ${answered.length === 0 ? "no answer" : `answered by ${answered.join(", ")}`}.`);
  }
  const avsAnswers = [...bySide.avs];
  const sourceAnswers = [...bySide.source].filter((mac) => !bySide.avs.has(mac));
  const all = new Set([...avsAnswers, ...sourceAnswers]);
  if (all.size > 1) {
    return { ...base, outcome: "fail", summary: `${all.size} hosts answer for ${host} (${listMacs([...all])}): the address is in use more than once.`, evidence: lines };
  }
  if (avsAnswers.length === 1) {
    const known = map.avs.includes(avsAnswers[0]!) ? ", a workload already in AVS" : "";
    return { ...base, outcome: "fail", summary: `${host} is in use by ${avsAnswers[0]} on the AVS side${known}: the Tier-1 cannot take it.`, evidence: lines };
  }
  if (sourceAnswers.length === 1) {
    return {
      ...base,
      outcome: "warn",
      summary: `${sourceAnswers[0]} at the source site still answers for ${host}: the current gateway. Apply the cut-over file there first, or it and the Tier-1 will both answer for one address.`,
      evidence: lines,
    };
  }
  return { ...base, outcome: "pass", summary: `Nobody answers for ${host} on either side: it is free for the Tier-1.`, evidence: lines };
}

/** The planned Tier-1 is one of the private cloud's, as last read from Azure. */
export function tier1ExistsCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "tier1-exists" as const, title: "The Tier-1 exists in the private cloud" };
  if (!evidence.plan) return { ...base, outcome: "fail", summary: NO_PLAN, evidence: [] };
  const read = `Tier-1 gateways of ${evidence.cloud.name} as read from Azure ${describeAge(evidence.cloud.lastSyncedAt, evidence.now)}: ${evidence.cloud.tier1Gateways.map((g) => g.id).join(", ") || "none"}.`;
  const found = evidence.cloud.tier1Gateways.find((g) => g.id === evidence.plan!.tier1Id);
  if (!found) {
    return { ...base, outcome: "fail", summary: `${evidence.plan.tier1Id} is not a Tier-1 gateway of ${evidence.cloud.name}: Azure would refuse the segment. Read the private clouds again, or plan another Tier-1.`, evidence: [read] };
  }
  return { ...base, outcome: "pass", summary: `${found.displayName} (${found.id}) is a Tier-1 gateway of ${evidence.cloud.name}.`, evidence: [read] };
}

/**
 * Connecting the segment makes the Tier-1 route the subnet: it must overlap nothing the Tier-1
 * already routes (the other tenants' segments on it) or the private cloud reserves. The one
 * address-space check (checkSubnetAddressSpace, this tenant excepted) is the evidence.
 */
export function tier1OverlapCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "tier1-overlap" as const, title: "No overlap with what the Tier-1 routes" };
  if (evidence.addressConflicts.length > 0) {
    return {
      ...base,
      outcome: "fail",
      summary: describeConflicts(evidence.tenant.subnet, evidence.addressConflicts),
      evidence: evidence.addressConflicts.map((c) => `${c.cidr}: ${c.label}.`),
    };
  }
  return {
    ...base,
    outcome: "pass",
    summary: `${evidence.tenant.subnet} overlaps no other tenant's segment and nothing ${evidence.cloud.name} reserves.`,
    evidence: [`Checked against the private cloud's blocks, the platform's reserved ranges, the admins' ranges and every other live tenant in ${evidence.cloud.name}.`],
  };
}
