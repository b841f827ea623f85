/**
 * RouterOS's share of the tunnel guard and of the active/standby pair (lib/gateway/pair.ts).
 *
 * The guard: bridge filter rules on the VXLAN port, both ways, that drop BPDUs and let broadcast
 * and multicast through at STORM_CONTROL's rates (`limit=rate,burst:packet` accepts under the rate;
 * the next rule drops the rest). RouterOS's bridge filter cannot tell unknown unicast from known,
 * so that class is left to the AVS edge bridge's guard at the tunnel's other end.
 *
 * The pair: a VRRPv3 interface on the tenant bridge with the group number, link-local addresses
 * and priorities every platform of the pair shares; its on-master and on-backup scripts enable and
 * disable the VXLAN interface, which a pair member adds disabled. RouterOS's VRRP tracks nothing
 * itself: netwatch pings the edge bridge's underlay address every second and lowers the priority
 * below the other member's when it stops answering, and raises it again only after the hold-down.
 */
import { planPairEnd } from "../pair";
import { STORM_CONTROL } from "../tunnel-guard";
import type { GatewayContext } from "../types";

const q = (value: string) => `"${value}"`;
/** A RouterOS script inside a quoted property: its own quotes escaped. */
const script = (text: string) => q(text.replaceAll('"', '\\"'));

export type RouterosPairNames = { vxlan: string; bridge: string; comment: string };

export function routerosVrrpName(context: GatewayContext): string {
  return `vrrp-bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/** The guard's bridge filter rules, for every tunnel. */
export function routerosGuard(n: RouterosPairNames): string[] {
  const c = `comment=${q(n.comment)}`;
  const classes = [
    ["broadcast", "FF:FF:FF:FF:FF:FF/FF:FF:FF:FF:FF:FF", STORM_CONTROL.broadcastPps],
    ["multicast", "01:00:00:00:00:00/01:00:00:00:00:00", STORM_CONTROL.multicastPps],
  ] as const;
  return [
    `# The tunnel guard: BPDUs never cross ${n.vxlan}; broadcast and multicast cross it at ${STORM_CONTROL.broadcastPps} and ${STORM_CONTROL.multicastPps} frames/s`,
    "# each way at most (the rest is dropped). Unknown unicast cannot be told apart here: the AVS edge bridge limits it.",
    "/interface bridge filter",
    ...(["out-interface", "in-interface"] as const).flatMap((direction) => [
      `add chain=forward ${direction}=${q(n.vxlan)} dst-mac-address=01:80:C2:00:00:00/FF:FF:FF:FF:FF:F0 action=drop ${c}`,
      ...classes.flatMap(([, mac, pps]) => [
        `add chain=forward ${direction}=${q(n.vxlan)} dst-mac-address=${mac} limit=${pps},${pps}:packet action=accept ${c}`,
        `add chain=forward ${direction}=${q(n.vxlan)} dst-mac-address=${mac} action=drop ${c}`,
      ]),
    ]),
  ];
}

/** The pair's configuration, or nothing for a tenant with one tunnel. */
export function routerosPair(context: GatewayContext, n: RouterosPairNames): string[] {
  const plan = planPairEnd(context, "source");
  if (!plan) return [];
  const c = `comment=${q(n.comment)}`;
  const vrrp = routerosVrrpName(context);
  const setPriority = (priority: number) => `/interface vrrp set [find name="${vrrp}"] priority=${priority}`;
  return [
    `# The active/standby pair: VRRPv3 group ${plan.vrid} on ${n.bridge} with tunnel ${plan.partner.name}'s gateway ${plan.partner.sourceHostname}.`,
    `# This is tunnel ${plan.ordinal}, the ${plan.preferred}: priority ${plan.priority} (the other: ${plan.partnerPriority}). ${n.vxlan} was added disabled: the`,
    "# VRRP interface enables it on becoming master and disables it otherwise. Link-local addresses: the pair's routers",
    "# need no address of the tenant's.",
    "/ip address",
    `add address=${plan.ownAddress}/${plan.prefixLength} interface=${q(n.bridge)} ${c}`,
    "/interface vrrp",
    `add name=${q(vrrp)} interface=${q(n.bridge)} vrid=${plan.vrid} priority=${plan.priority} version=3 v3-protocol=ipv4 interval=1s preemption-mode=yes on-master=${script(`/interface enable [find name="${n.vxlan}"]`)} on-backup=${script(`/interface disable [find name="${n.vxlan}"]`)} ${c}`,
    "/ip address",
    `add address=${plan.virtualAddress}/32 interface=${q(vrrp)} ${c}`,
    `# Tracked: the edge bridge ${context.tunnel.avs.hostname} answers on the underlay. Unanswered, this router drops to priority 1;`,
    `# answered again, it waits ${plan.holdDownSeconds || "no"} s (the hold-down) before it stands again.`,
    "/tool netwatch",
    `add host=${context.tunnel.avs.underlayIp} type=icmp interval=1s timeout=1s down-script=${script(setPriority(1))} up-script=${script(`${plan.holdDownSeconds ? `:delay ${plan.holdDownSeconds}s; ` : ""}${setPriority(plan.priority)}`)} ${c}`,
  ];
}

/** The menus the pair adds to, for the undo script (removed newest first). */
export function routerosPairMenus(context: GatewayContext): string[] {
  // In this order so that, reversed, the addresses go before the VRRP interface that holds one.
  return context.pair ? ["/interface vrrp", "/ip address", "/tool netwatch"] : [];
}
