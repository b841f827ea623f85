/**
 * The last line of defence on every bridge port into a tunnel: storm control, BPDU filtering,
 * the gateway kept off the tenant's VLAN as a host, TCP MSS clamping when the tunnel is short,
 * and (for a tunnel in an active/standby pair) the gate its pair helper opens and closes.
 *
 * One nftables bridge-family table per tunnel end holds all of it, named for the end alone
 * (bh_<slug>_t<n>_<side>) so that several tenants share a gateway and re-applying replaces the
 * table in one transaction. The Linux iproute2 scripts and the edge bridge load it inline; the
 * declarative Linux formats ship it as a file with a small unit that loads it at boot.
 *
 * Storm control needs three classes. Broadcast and multicast are told by the destination MAC.
 * Unknown unicast is what a bridge floods because its table has no entry for the destination,
 * and nftables cannot see the bridge's table, so the guard keeps its own: every source MAC seen
 * arriving from the tunnel goes into far_macs, every one seen leaving into it into near_macs,
 * both aged like the bridge's own entries (300 s). A unicast frame into the tunnel whose
 * destination never came out of it is, to this end, unknown unicast; likewise the other way.
 * Each class has its own token bucket per direction: frames over the rate are dropped, the rest
 * pass. A loop through two active pairs is then held to these rates at every tunnel port
 * instead of the ~1.8 M frames/s one ARP produced (docs/benchmarks.md).
 */
import { SWEEP_OUI } from "./pair";

/** Frames per second each class may cross one tunnel port in one direction; the burst is one second's worth. */
export const STORM_CONTROL = {
  broadcastPps: 1000,
  multicastPps: 2000,
  unknownUnicastPps: 1000,
  /** How long a MAC stays "known" after it was last seen, as the Linux bridge ages its entries. */
  learnedMacSeconds: 300,
} as const;


/** IEEE 802.1D link-local group addresses 01:80:C2:00:00:00–0F: STP BPDUs, LACP, LLDP, 802.1X. */
const LINK_LOCAL_GROUP = "01:80:c2:00:00:00/44";

export type GuardOptions = {
  /** The nftables table's name, or a shell variable that holds it ("$NFT_TABLE"). */
  table: string;
  /** The tunnel device, or a shell variable ("$VXLAN"). */
  vxlan: string;
  /** Clamp TCP MSS on SYNs crossing the tunnel to these sizes, or null when 1500-byte packets fit. */
  mss: { ipv4: number; ipv6: number } | null;
  /** A pair member: the gate chain (closed until the pair helper opens it) and VRRP let in. */
  pair: boolean;
  /**
   * Drop what the bridge would hand to the gateway's own stack (true for the Linux ends, which are
   * by design no host on the tenant's VLAN). False for a router that may also be the subnet's
   * gateway, with an address on the bridge (VyOS).
   */
  hostless?: boolean;
};

/**
 * The ruleset as nft reads it from a file or a here-document. It declares the table, deletes it
 * and makes it again, so loading it replaces whatever an earlier apply left, atomically.
 */
export function renderGuardRuleset(options: GuardOptions): string[] {
  const { table, vxlan, mss, pair, hostless = true } = options;
  const s = STORM_CONTROL;
  const limit = (pps: number) => `limit rate over ${pps}/second burst ${pps} packets counter drop`;
  const storm = (name: string, known: string, what: string) => [
    `  # ${what}`,
    `  chain ${name} {`,
    `    ether daddr ${LINK_LOCAL_GROUP} counter drop comment "BPDUs and other IEEE link-local frames never cross"`,
    `    ether daddr ff:ff:ff:ff:ff:ff ${limit(s.broadcastPps)} comment "broadcast over ${s.broadcastPps}/s"`,
    "    ether daddr ff:ff:ff:ff:ff:ff counter accept",
    `    ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 ${limit(s.multicastPps)} comment "multicast over ${s.multicastPps}/s"`,
    "    ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 counter accept",
    `    ether daddr != @${known} ${limit(s.unknownUnicastPps)} comment "unknown unicast over ${s.unknownUnicastPps}/s"`,
    "  }",
  ];
  const macSet = (name: string, what: string) => [
    `  # ${what}`,
    `  set ${name} {`,
    "    type ether_addr",
    "    flags dynamic, timeout",
    `    timeout ${s.learnedMacSeconds}s`,
    "    size 65536",
    "  }",
  ];
  const mssRules = mss
    ? ["iifname", "oifname"].flatMap((direction) => [
        `    ${direction} "${vxlan}" ether type ip tcp flags & (syn | rst) == syn tcp option maxseg size > ${mss.ipv4} tcp option maxseg size set ${mss.ipv4}`,
        `    ${direction} "${vxlan}" ether type ip6 tcp flags & (syn | rst) == syn tcp option maxseg size > ${mss.ipv6} tcp option maxseg size set ${mss.ipv6}`,
      ])
    : [];
  return [
    `table bridge ${table}`,
    `delete table bridge ${table}`,
    `table bridge ${table} {`,
    ...macSet("far_macs", "MACs seen arriving from the tunnel: the far side's."),
    ...macSet("near_macs", "MACs seen leaving into the tunnel: this side's."),
    ...(pair
      ? [
          "  # The pair's gate: closed (these two rules) unless the pair helper made this end the active one.",
          "  chain gate {",
          `    iifname "${vxlan}" drop`,
          `    oifname "${vxlan}" drop`,
          "  }",
        ]
      : []),
    "  chain forward {",
    "    type filter hook forward priority 0; policy accept;",
    ...(pair ? ["    jump gate"] : []),
    "    # Learn who is where, except the pair's sweep MACs (02:62:68:…): nobody answers from them, so",
    "    # replies to them must stay unknown unicast, and limited, even while a loop carries their probes round.",
    `    iifname "${vxlan}" ether saddr & ff:ff:ff:00:00:00 != ${SWEEP_OUI}:00:00:00 update @far_macs { ether saddr }`,
    `    oifname "${vxlan}" ether saddr & ff:ff:ff:00:00:00 != ${SWEEP_OUI}:00:00:00 update @near_macs { ether saddr }`,
    ...(mss ? [`    # The inner MTU is below 1500: clamp TCP MSS on SYNs crossing the tunnel (IPv4 ${mss.ipv4}, IPv6 ${mss.ipv6}).`] : []),
    ...mssRules,
    `    oifname "${vxlan}" jump into_tunnel`,
    `    iifname "${vxlan}" jump from_tunnel`,
    "  }",
    ...storm("into_tunnel", "far_macs", "Storm control into the tunnel: unknown unicast is a destination that never came out of it."),
    ...storm("from_tunnel", "near_macs", "Storm control out of the tunnel: unknown unicast is a destination that never went into it."),
    ...(hostless
      ? [
          "  # The gateway bridges the tenant's VLAN but is no host on it: nothing reaches its own stack from the bridge",
          ...(pair ? ["  # but the pair's VRRP advertisements."] : ["  # (no address, no service, no neighbour discovery)."]),
          "  chain input {",
          "    type filter hook input priority 0; policy drop;",
          ...(pair ? ["    ether type ip ip protocol vrrp accept"] : []),
          "  }",
        ]
      : []),
    ...(pair
      ? [
          "  # What this end sends itself (its VRRP advertisements) goes through the gate too.",
          "  chain output {",
          "    type filter hook output priority 0; policy accept;",
          "    jump gate",
          "  }",
        ]
      : []),
    "}",
  ];
}

/** The one table name every Linux file of a tunnel end uses. */
export function guardTableName(slug: string, ordinal: number, side: "source" | "avs"): string {
  return `bh_${slug.replaceAll("-", "_")}_t${ordinal}_${side}`;
}
