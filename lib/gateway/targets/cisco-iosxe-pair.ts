/**
 * IOS XE's share of the active/standby pair (lib/gateway/pair.ts) and of the tunnel guard.
 *
 * The pair: a VRRPv3 group on the bridge domain's BDI (the router's foot in the tenant's LAN),
 * with the same group number, link-local addresses and priorities as a Linux or VyOS member, so
 * any two platforms make one pair. Its tracked condition is an IP SLA ping of the edge bridge's
 * underlay address every second; an EEM applet per state change adds the VNI to the bridge domain
 * on becoming MASTER and removes it otherwise, so the standby router bridges nothing into its
 * tunnel. In a pair the bridge domain starts without the VNI.
 *
 * What IOS XE cannot do here, said in the file: CSR 1000v and Catalyst 8000V have no storm
 * control on service instances, and cannot hear the edge bridge through the tunnel (a ping of its
 * underlay address is the closest check). The AVS edge bridge's guard limits every flood class at
 * the tunnel's other end whatever the source platform.
 */
import { STORM_CONTROL } from "../tunnel-guard";
import { planPairEnd, type PairEndPlan } from "../pair";
import type { GatewayContext } from "../types";

export type IosxePairNames = { underlay: string; lan: string; bdi: string; bridgeDomain: number; vni: number; vlan: number };

/** IP SLA operation number (1–2147483647): VLAN and tunnel, so tenants sharing a router never collide. */
function slaNumber(context: GatewayContext): number {
  return context.tenant.vlanId * 10 + context.tunnel.ordinal;
}

/** IOS XE numbers track objects 1–1000 only (`track <1-1000>`): a larger one is refused, and the VRRP group then tracks nothing. */
export const IOSXE_TRACK_MAX = 1000;

/**
 * The track object's number: the VLAN, folded into 1–1000. VLANs 1 000 apart share one, which the
 * file says; one router's tunnels are rarely that far apart, and the operator can renumber.
 */
export function iosxeTrackNumber(context: GatewayContext): number {
  return ((context.tenant.vlanId - 1) % IOSXE_TRACK_MAX) + 1;
}

function mask(prefixLength: number): string {
  const bits = 0xffffffff << (32 - prefixLength);
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join(".");
}

/** Comment lines on flooding and BPDUs, for every tunnel (the guard the platform cannot carry). */
export function iosxeGuardComment(): string[] {
  return [
    "! Storm control: CSR 1000v / Catalyst 8000V have none on service instances. Limit flooding on the LAN switch",
    `! port that faces this router (Catalyst: storm-control broadcast level pps ${STORM_CONTROL.broadcastPps}, storm-control multicast level pps`,
    `! ${STORM_CONTROL.multicastPps}); the AVS edge bridge's guard limits every class at the tunnel's other end.`,
    "! BPDUs: the bridge domain runs no spanning tree; the edge bridge drops BPDUs at the AVS end. Keep BPDU guard",
    "! on the switch port facing this router.",
  ];
}

function stateApplet(context: GatewayContext, plan: PairEndPlan, n: IosxePairNames, active: boolean): string[] {
  const name = `bh-${context.tenant.slug}-t${context.tunnel.ordinal}-${active ? "active" : "standby"}`;
  // Standby on entering BACKUP or INIT from any state, not only on leaving MASTER: a router that
  // boots with the VNI in its startup-config (saved by `write memory` while it was active) comes
  // up INIT -> BACKUP, and must take the VNI out then or it bridges as the standby.
  const pattern = active ? `%VRRP-6-STATE: ${n.bdi} IPv4 group ${plan.vrid} state .* -> MASTER` : `%VRRP-6-STATE: ${n.bdi} IPv4 group ${plan.vrid} state .* -> (INIT|BACKUP)`;
  return [
    `event manager applet ${name}`,
    ` event syslog pattern "${pattern}"`,
    ' action 1.0 cli command "enable"',
    ' action 2.0 cli command "configure terminal"',
    ` action 3.0 cli command "bridge-domain ${n.bridgeDomain}"`,
    ` action 4.0 cli command "${active ? "" : "no "}member vni ${n.vni}"`,
    ' action 5.0 cli command "end"',
    "!",
  ];
}

/** The pair's configuration for the apply file, or nothing for a tenant with one tunnel. */
export function iosxePairConfig(context: GatewayContext, n: IosxePairNames): string[] {
  const plan = planPairEnd(context, "source");
  if (!plan) return [];
  const sla = slaNumber(context);
  const track = iosxeTrackNumber(context);
  return [
    `! The active/standby pair: VRRPv3 group ${plan.vrid} on ${n.bdi} with tunnel ${plan.partner.name}'s gateway ${plan.partner.sourceHostname}.`,
    `! This is tunnel ${plan.ordinal}, the ${plan.preferred}: priority ${plan.priority} (the other: ${plan.partnerPriority}). The bridge domain above has no VNI yet:`,
    "! the applets below add it when this router becomes the active one, and take it away whenever it comes up or falls",
    "! back as backup (write memory saves the VNI as it is at that moment; the standby applet removes it again at boot).",
    "fhrp version vrrp v3",
    "!",
    `! Tracked: the edge bridge ${context.tunnel.avs.hostname} answers on the underlay, every second; two misses and this router stands down.`,
    `ip sla ${sla}`,
    ` icmp-echo ${context.tunnel.avs.underlayIp} source-interface ${n.underlay}`,
    " threshold 1000",
    " timeout 1000",
    " frequency 1",
    `ip sla schedule ${sla} life forever start-time now`,
    `! Track object ${track} (IOS XE allows 1–${IOSXE_TRACK_MAX}; VLANs ${IOSXE_TRACK_MAX} apart share a number): if \`show track ${track}\` already lists one,`,
    "! use a free number here, in the VRRP group below and in the undo file.",
    `track ${track} ip sla ${sla} reachability`,
    " delay down 2 up 3",
    "!",
    `! Link-local: the pair's routers need no address of the tenant's. If ${n.bdi} already carries the subnet's gateway`,
    "! address (this router is the tenant's router), add this one with `secondary`.",
    `interface ${n.bdi}`,
    ` description bridgehead:${context.tenant.slug}:t${context.tunnel.ordinal} pair`,
    ` ip address ${plan.ownAddress} ${mask(plan.prefixLength)}`,
    ` vrrp ${plan.vrid} address-family ipv4`,
    `  address ${plan.virtualAddress} primary`,
    `  priority ${plan.priority}`,
    ...(plan.preferred === "primary" ? [`  preempt delay minimum ${plan.holdDownSeconds}`] : []),
    // Down to 1, below any healthy member, so the other takes over (VRRPv3 preempts by default).
    `  track ${track} decrement ${plan.priority - 1}`,
    "  exit-vrrp",
    "!",
    ...stateApplet(context, plan, n, true),
    ...stateApplet(context, plan, n, false),
  ];
}

/** Undo lines for the pair, before the bridge domain goes. */
export function iosxePairUndo(context: GatewayContext, n: IosxePairNames): string[] {
  const plan = planPairEnd(context, "source");
  if (!plan) return [];
  const sla = slaNumber(context);
  const stem = `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
  return [
    `no event manager applet ${stem}-active`,
    `no event manager applet ${stem}-standby`,
    `interface ${n.bdi}`,
    ` no vrrp ${plan.vrid} address-family ipv4`,
    "!",
    `no track ${iosxeTrackNumber(context)}`,
    `no ip sla ${sla}`,
    "!",
  ];
}
