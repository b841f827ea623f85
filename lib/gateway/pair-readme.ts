/**
 * The bundle README's sections on the tunnel guard (every tunnel) and on the active/standby pair
 * (a tenant with two tunnels): what runs where, which failover time to expect, how to test it,
 * and the per-platform "fail over now" command. The figures are the ones measured in network
 * namespaces (tests/gateway-pair-netns.test.ts, docs/benchmarks.md).
 */
import { PAIR_TIMING, planPairEnd } from "./pair";
import { PAIR_PATHS } from "./targets/linux-pair";
import { STORM_CONTROL } from "./tunnel-guard";
import type { GatewayContext } from "./types";

/** Measured in network namespaces; docs/benchmarks.md has the runs. */
export const MEASURED_FAILOVER = {
  underlayCutSeconds: "4 to 5",
  failBackSeconds: "1 to 3",
  oneWaySeconds: "10",
} as const;

export function guardReadme(): string[] {
  const s = STORM_CONTROL;
  return [
    "## The tunnel guard",
    "",
    `Every tunnel port gets storm control: at most ${s.broadcastPps} broadcast, ${s.multicastPps} multicast and ${s.unknownUnicastPps} unknown-unicast frames a second`,
    "cross it each way, the rest is dropped; BPDUs and other IEEE link-local frames never cross. On the Linux ends (and",
    "VyOS) it is an nftables table, `bh_<tenant>_t<tunnel>_<side>`: `nft list table bridge <name>` shows what crossed and what was",
    "dropped. RouterOS limits broadcast and multicast with bridge filters; IOS XE and Hyper-V have no storm control of",
    "their own (their files say what to set on the switch). The AVS edge bridge always guards the tunnel's other end.",
    "",
  ];
}

export function pairReadme(context: GatewayContext): string[] {
  const source = planPairEnd(context, "source");
  const avs = planPairEnd(context, "avs");
  if (!source || !avs || !context.pair) return [];
  const { partner } = context.pair;
  const me = context.tunnel;
  const stem = `bh-${context.tenant.slug}-t${me.ordinal}`;
  const primary = me.ordinal === 1 ? `${me.name} (#1)` : `${partner.name} (#1)`;
  const helper = `${PAIR_PATHS.helperDir}/${stem}-pair.sh`;
  return [
    "## The active/standby pair",
    "",
    `${context.tenant.displayName} has two tunnels, and two tunnels that bridge the same VLAN at once are a Layer-2 loop. So they are an`,
    `active/standby pair: at any moment one carries the traffic and the other stands by. This is tunnel ${me.name} (#${me.ordinal}), the`,
    `pair's ${source.preferred}; its partner is tunnel ${partner.name} (#${partner.ordinal}: ${partner.sourceHostname} and ${partner.avsHostname}). Apply both bundles, each`,
    "on its own gateways: a tunnel applied from a bundle without the pair would bridge unguarded.",
    "",
    `- The two source gateways elect the active tunnel by VRRPv3 (group ${source.vrid}) on the tenant's LAN, through their bridges, with`,
    `  link-local addresses (${source.ownAddress}, ${source.partnerAddress}; group address ${source.virtualAddress}). The winner opens its tunnel port;`,
    "  the other keeps its VXLAN device down and its gate closed.",
    `- The two edge bridges hold their own election (group ${avs.vrid}) on the segment; the one that hears its source gateway through the`,
    "  tunnel wins, so the AVS side follows the source side. A loop needs both elections to fail at once. Storm control then",
    "  holds broadcast, multicast and unknown unicast to the guard's rates, but frames to hosts the bridges know can circle the",
    "  loop unlimited (measured: up to hundreds of thousands a second): a \"both active\" warning means fail over by hand at once.",
    `- The active gateway stays active only while it hears its edge bridge through the tunnel (checked every ${PAIR_TIMING.checkIntervalSeconds} s), and an`,
    "  active edge bridge opens its port only while it hears its gateway: a dead edge bridge, a cut underlay or a failed IPsec",
    `  tunnel, even one that fails in one direction only, moves the traffic to the other tunnel (one way: about ${MEASURED_FAILOVER.oneWaySeconds} s).`,
    `- Tunnel ${primary} is the pair's primary. Back from a failure it waits ${context.pair.holdDownSeconds} s, healthy, before it takes the traffic back (the hold-down),`,
    `  and ${PAIR_TIMING.silentCooldownSeconds} s more if its tunnel had gone silent, so an unstable link does not flap the pair.`,
    "- After a takeover the new active ends make the switches relearn: each sweeps the subnet with ARP probes (sender",
    `  0.0.0.0, so no host's cache changes) from a MAC no bridge knows${source.sweep.skipped ? `; here there is no sweep: ${source.sweep.skipped}` : ""}.`,
    "",
    `Expected failover: ${MEASURED_FAILOVER.underlayCutSeconds} s of lost traffic when the active gateway, its underlay or its edge bridge fails; a`,
    `fail-back to the primary costs ${MEASURED_FAILOVER.failBackSeconds} s.`,
    "",
    "Test it: ping a workload at the other site continuously, then fail over now on the active source gateway. The",
    "pings pause for a few seconds and carry on; each end's role is in `/run/bridgehead/*.role` (the console shows it too).",
    "Then undo the failover: the primary takes the traffic back after its hold-down.",
    "",
    "Fail over now (on the active source gateway; the edge bridges follow by themselves). These name this tunnel's",
    "end: to fail over from the other tunnel, use the command in its bundle's README.",
    "",
    `- Linux (iproute2, systemd-networkd, netplan, ifupdown2, and Hyper-V's gateway VM): \`sudo ${helper} standby\`; undo \`sudo ${helper} resume\`.`,
    `- VyOS: \`configure\`, \`set high-availability vrrp group ${stem} disable\`, \`commit\`; undo: \`delete high-availability vrrp group ${stem} disable\`, \`commit\`.`,
    `- IOS XE: \`configure terminal\`, \`interface BDI${context.tenant.vlanId}\`, \`vrrp ${source.vrid} address-family ipv4\`, \`shutdown\`; undo: \`no shutdown\`.`,
    `- RouterOS: \`/interface vrrp set [find name="vrrp-${stem}"] priority=1\`; undo: \`priority=${source.priority}\`.`,
    "",
  ];
}
