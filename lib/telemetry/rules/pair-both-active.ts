/**
 * Both active: the two tunnels of a pair both forward at one side (or both never heard of the
 * pair). Two active tunnels at both sides are a Layer-2 loop that storm control only partly holds
 * (flooded frames, not unicast to known hosts, which can circle it unlimited); at one
 * side, the other side's election is all that still prevents one. Critical either way.
 */
import { SIDE_NAME, SIDES, type Side } from "@/lib/domain/tenant-options";
import { STORM_CONTROL } from "@/lib/gateway/tunnel-guard";
import { agreedSpanMs, clock, nameTunnel, pairTunnels, settled, type TunnelView } from "./pair";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

const PLURAL: Record<Side, string> = { source: "source gateways", avs: "AVS edge bridges" };
const ELECTION: Record<Side, string> = {
  source: "between the source gateways on the tenant's LAN (a switch ACL or IGMP/MLD filter, a host firewall on a gateway, keepalived stopped)",
  avs: "between the edge bridges on the NSX-T segment (a segment security profile, a distributed firewall rule, keepalived stopped)",
};

export function pairBothActiveRule(input: RuleInput): Condition[] {
  const tunnels = pairTunnels(input);
  if (tunnels.length < 2) return [];

  // Gateways that report but know nothing of the pair were set up from bundles made without it.
  if (tunnels.every((t) => t.ends.source.unpaired)) return [unconfigured(input, tunnels)];

  const both = SIDES.filter((side) => {
    const reports = tunnels.map((t) => t.ends[side].latest);
    return reports.every((r) => r?.role === "active") && settled(input, reports.flatMap((r) => (r ? [r] : [])));
  });
  if (both.length === 0) return [];
  const reports = tunnels.flatMap((t) => both.map((side) => t.ends[side].latest!));
  const since = new Date(Math.max(...reports.map((r) => r.since.getTime())));
  const looped = both.length === SIDES.length;
  const holder = looped ? null : tunnels.find((t) => t.ends[SIDES.find((s) => !both.includes(s))!].latest?.role === "active");
  const message = looped
    ? `Both tunnels are active at both ends since ${clock(since)}: the stretched VLAN is looped through AVS. Storm ` +
      `control holds flooded frames (at most ${STORM_CONTROL.broadcastPps} broadcast and ${STORM_CONTROL.multicastPps} multicast frames a second per tunnel port), ` +
      "but frames to hosts the bridges know can circle the loop unlimited. " +
      `The VRRP advertisements get through neither ${ELECTION.source} nor ${ELECTION.avs}. Stop the loop now: fail over on one ` +
      "tunnel's source gateway (its pair helper's standby command), then find what blocks the advertisements."
    : `Both ${PLURAL[both[0]!]} are active since ${clock(since)}: they do not hear each other's VRRP advertisements ${ELECTION[both[0]!]}. ` +
      `${holder ? `The ${SIDE_NAME[SIDES.find((s) => !both.includes(s))!]}s still agree on ${nameTunnel(holder)}, so no loop has formed, ` : "No loop has formed yet, "}` +
      "but one more fault on the other side makes one. Find what blocks the advertisements.";
  return [
    tenantCondition(input, "pair-both-active", "critical", message, {
      sides: both,
      looped,
      since: since.toISOString(),
      agreedSeconds: Math.round(agreedSpanMs(reports) / 1000),
      tunnels: tunnels.map((t) => ({ ordinal: t.ordinal, source: t.ends.source.latest?.role ?? null, avs: t.ends.avs.latest?.role ?? null })),
    }),
  ];
}

function unconfigured(input: RuleInput, tunnels: readonly TunnelView[]): Condition {
  return tenantCondition(
    input,
    "pair-both-active",
    "critical",
    `${input.tenant.slug} has two tunnels, and the agents of both source gateways report no role in a pair: they run with ` +
      "settings from before the active/standby pair, so both tunnels are likely to bridge the VLAN at once, which is a Layer-2 loop. " +
      "Download both tunnels' bundles again and apply them (the pair, the tunnel guard and the agents' settings), tunnel 1 first.",
    { sides: ["source"], looped: null, configured: false, tunnels: tunnels.map((t) => ({ ordinal: t.ordinal, source: null, avs: null })) },
  );
}
