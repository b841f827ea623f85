/**
 * A tenant's two tunnels as one active/standby pair: the numbers every platform's file must
 * agree on, so that a Linux gateway and a VyOS or IOS XE one can make up a pair. The design
 * (docs/decisions.md, "The active/standby pair") in short:
 *
 * - The two source gateways hold a VRRPv3 election on the tenant's LAN (group PAIR_VRID.source),
 *   through their tenant bridges, so the advertisements travel the very LAN a loop would. The
 *   winner opens its tunnel port; the other keeps it down. Tunnel 1's gateway is preferred and
 *   takes the traffic back after a hold-down (preempt delay).
 * - The two AVS edge bridges hold an election of their own on the NSX-T segment (group
 *   PAIR_VRID.avs), in which an edge bridge that hears its own source gateway through the tunnel
 *   (that gateway's advertisements cross it five times a second) outranks one that does not. So the
 *   AVS side follows the source side at once, and when the source side splits (both gateways
 *   active) the edge bridges still open one tunnel: a loop needs both elections to fail together.
 * - The active source gateway in turn stays active only while it hears its edge bridge through
 *   the tunnel (an edge bridge that leads its election advertises through it too), so a dead
 *   edge bridge, a cut underlay or an IPsec failure moves the pair to the other tunnel. An edge
 *   bridge that leads opens its port, and so advertises through it, only while it hears its
 *   gateway: a tunnel that fails in one direction goes silent for both ends.
 * - Every tunnel port carries storm control (tunnel-guard.ts) for when all of that fails.
 *
 * The VRRP groups need an address each (VRRPv3, and a mixed pair must advertise the same list),
 * but the gateways must not become hosts on the tenant's VLAN: the addresses come from IPv4
 * link-local space (169.254/16, RFC 3927), one block of eight per VLAN so tenants sharing a
 * gateway never share one, and the guard table drops everything the bridge would hand to the
 * gateway's own stack except VRRP.
 */
import ipaddr from "ipaddr.js";
import type { EndpointSide, GatewayContext, PairContext } from "./types";

/** VRRP group numbers (1–255). High, because tenants who run VRRP on their VLAN tend to number groups after it. */
export const PAIR_VRID = { source: 250, avs: 251 } as const;

/**
 * Tunnel 1 is the pair's primary: 50 apart, as keepalived's documentation advises. An edge bridge
 * gains HEARING_BONUS while it hears its source gateway through the tunnel, so the one whose
 * gateway is active outranks the other at once (and tunnel 1's wins when both hear theirs).
 */
export const PAIR_PRIORITY = { source: { 1: 200, 2: 100 }, avs: { 1: 100, 2: 50 } } as const;
export const HEARING_BONUS = 100;

export const PAIR_TIMING = {
  /** VRRPv3 advertisement interval (VyOS takes whole seconds: it advertises every second). */
  advertIntervalMs: 200,
  /** How often each end checks that it hears the other end through the tunnel. */
  checkIntervalSeconds: 1,
  /** Consecutive failed checks before an end gives up its role, and passed ones before it may take one. */
  fall: 2,
  rise: 2,
  /**
   * An edge bridge raises its priority on the first second it hears its source gateway: a source
   * gateway that stands by sends nothing through its tunnel, so one heard second is proof enough,
   * and waiting for a second one would add a second to every failover.
   */
  edgeRise: 1,
  /** How long a newly active source gateway waits for its edge bridge to take over before it blames the tunnel. */
  takeoverGraceSeconds: 10,
  /** How long a source gateway whose tunnel went silent stays in fault before it tries again (no flapping). */
  silentCooldownSeconds: 30,
} as const;

/** The largest subnet a newly active end sweeps with ARP probes (1 022 addresses, about a second). */
export const SWEEP_MAX_ADDRESSES = 1022;
/** ARP probes per second during the sweep: well inside storm control's unknown-unicast rate for the replies. */
export const SWEEP_PPS = 500;

export type PairRole = "primary" | "standby";

export type PairEndPlan = {
  side: EndpointSide;
  ordinal: 1 | 2;
  /** Which role this tunnel prefers: tunnel 1 is the primary. */
  preferred: PairRole;
  vrid: number;
  /** Configured priority; an edge bridge adds hearingBonus while it hears its source gateway. */
  priority: number;
  partnerPriority: number;
  hearingBonus: number;
  /** The group's virtual address (VRRPv3 needs one; nobody uses it). */
  virtualAddress: string;
  /** The source address of this end's advertisements. */
  ownAddress: string;
  partnerAddress: string;
  /** The /24-free link-local block's mask for interfaces that need an address (IOS XE's BDI, RouterOS). */
  prefixLength: 29;
  /** keepalived's preempt_delay: the source side's hold-down; 0 on the AVS side, which follows. */
  holdDownSeconds: number;
  /** The ARP sweep after a takeover: the source MAC of the probes and the subnet, or why there is none. */
  sweep: { mac: string; subnet: string | null; skipped: string | null };
  partner: PairContext["partner"];
};

/** 169.254.1.0 + 8 × VLAN: VLANs 1–4094 stay clear of 169.254.0.0/24 and 169.254.255.0/24, which RFC 3927 reserves. */
function linkLocalBlock(vlanId: number): number {
  return ipaddr.parse("169.254.1.0").toByteArray().reduce((n, byte) => n * 256 + byte, 0) + vlanId * 8;
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The link-local addresses of a VLAN's pair: .1/.2 the source gateways, .3 their group; .5/.6 the edge bridges, .7 theirs. */
export function pairAddresses(vlanId: number, side: EndpointSide) {
  const base = linkLocalBlock(vlanId) + (side === "source" ? 0 : 4);
  return { member: (ordinal: 1 | 2) => dotted(base + ordinal), virtual: dotted(base + 3), network: dotted(linkLocalBlock(vlanId)) };
}

/** The first three bytes of every sweep MAC: locally administered (02), then "bh". */
export const SWEEP_OUI = "02:62:68";

/** A locally administered MAC for one end's ARP sweep: SWEEP_OUI, the side and tunnel, the VLAN. */
export function sweepMac(vlanId: number, side: EndpointSide, ordinal: 1 | 2): string {
  const bytes = [(side === "source" ? 0x10 : 0x20) | ordinal, vlanId >> 8, vlanId & 0xff];
  return [SWEEP_OUI, ...bytes.map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

function sweepSubnet(subnet: string): { subnet: string | null; skipped: string | null } {
  const [address, prefix] = ipaddr.parseCIDR(subnet);
  if (address.kind() !== "ipv4") {
    return { subnet: null, skipped: "the subnet is IPv6, which has no ARP: hosts are relearned from their own traffic" };
  }
  const addresses = 2 ** (32 - prefix) - 2;
  if (addresses > SWEEP_MAX_ADDRESSES) {
    return { subnet: null, skipped: `the subnet has ${addresses} addresses, more than the ${SWEEP_MAX_ADDRESSES} a sweep covers in about a second` };
  }
  return { subnet, skipped: null };
}

/** This end's part of the pair, or null when the tenant has one tunnel. */
export function planPairEnd(context: GatewayContext, side: EndpointSide): PairEndPlan | null {
  if (!context.pair) return null;
  const ordinal = context.tunnel.ordinal;
  const partnerOrdinal = context.pair.partner.ordinal;
  const addresses = pairAddresses(context.tenant.vlanId, side);
  return {
    side,
    ordinal,
    preferred: ordinal === 1 ? "primary" : "standby",
    vrid: PAIR_VRID[side],
    priority: PAIR_PRIORITY[side][ordinal],
    partnerPriority: PAIR_PRIORITY[side][partnerOrdinal],
    hearingBonus: side === "avs" ? HEARING_BONUS : 0,
    virtualAddress: addresses.virtual,
    ownAddress: addresses.member(ordinal),
    partnerAddress: addresses.member(partnerOrdinal),
    prefixLength: 29,
    holdDownSeconds: side === "source" ? context.pair.holdDownSeconds : 0,
    sweep: { mac: sweepMac(context.tenant.vlanId, side, ordinal), ...sweepSubnet(context.tenant.subnet) },
    partner: context.pair.partner,
  };
}

/** One line for headers and READMEs: which tunnel this is in the pair and what it does. */
export function describePairRole(context: GatewayContext): string | null {
  if (!context.pair) return null;
  const { partner } = context.pair;
  return context.tunnel.ordinal === 1
    ? `primary of an active/standby pair with tunnel ${partner.name} (#${partner.ordinal}): carries the traffic while healthy`
    : `standby of an active/standby pair with tunnel ${partner.name} (#${partner.ordinal}): carries the traffic only when the primary cannot`;
}
