/**
 * The MTU budget of a stretched L2 segment: what the tunnel's encapsulation and transport cost,
 * what inner MTU fits in the underlay, and the TCP MSS to clamp to. Pure arithmetic, shown to
 * operators with its working and written into every generated config.
 */

import { UNDERLAY_MTU } from "./limits";
import type { Encapsulation, Transport } from "./tenant-options";

export type UnderlayFamily = "ipv4" | "ipv6";

/**
 * Bytes each layer adds to an inner Ethernet frame's payload (the inner IP packet):
 * - VXLAN: inner Ethernet 14 + VXLAN 8 + UDP 8 + outer IPv4 20 = 50 (IPv6 outer: 70).
 * - L2TPv3 over IP (no UDP, cookie of 4): inner Ethernet 14 + session id 4 + cookie 4 + L2-specific
 *   sublayer 4 + outer IPv4 20 = 46 (IPv6: 66).
 * - ESP in tunnel mode, worst case with AES-CBC: outer IP 20 + ESP header 8 + IV 16 + padding up to
 *   15 + pad length/next header 2 + ICV 12 = 73 for IPv4 (93 for IPv6).
 * - ExpressRoute/Global Reach and SD-WAN carry the tunnel as plain IP: no extra per-packet
 *   overhead the console can know (an SD-WAN appliance's own is the operator's to subtract).
 */
export const OVERHEAD = {
  vxlan: { ipv4: 50, ipv6: 70 },
  l2tpv3: { ipv4: 46, ipv6: 66 },
  esp: { ipv4: 73, ipv6: 93 },
} as const;

/** The inner MTU workloads expect on an Ethernet segment. */
export const STANDARD_INNER_MTU = 1500;
const TCP_IP_HEADERS = { ipv4: 40, ipv6: 60 } as const;

export type MtuBudget = {
  underlayMtu: number;
  encapsulationBytes: number;
  transportBytes: number;
  /** The largest inner IP packet that crosses without fragmentation. */
  innerMtu: number;
  /** TCP MSS for IPv4 inside the tunnel: inner MTU − 40. */
  mss: number;
  /** True when a standard 1500-byte inner packet fits. */
  fitsStandardFrames: boolean;
  /** The underlay MTU needed for 1500-byte inner packets. */
  underlayNeededForStandard: number;
  /** The working, line by line, for comments in configs and for the console. */
  arithmetic: string[];
};

export function computeMtuBudget(input: {
  underlayMtu: number;
  encapsulation: Encapsulation;
  transport: Transport;
  underlayFamily?: UnderlayFamily;
}): MtuBudget {
  const family = input.underlayFamily ?? "ipv4";
  if (!Number.isInteger(input.underlayMtu) || input.underlayMtu < UNDERLAY_MTU.min || input.underlayMtu > UNDERLAY_MTU.max) {
    throw new RangeError(`Underlay MTU must be a whole number from ${UNDERLAY_MTU.min} to ${UNDERLAY_MTU.max}, not ${input.underlayMtu}.`);
  }
  const encapsulationBytes = OVERHEAD[input.encapsulation][family];
  const transportBytes = input.transport === "ipsec-vpn" ? OVERHEAD.esp[family] : 0;
  const innerMtu = input.underlayMtu - encapsulationBytes - transportBytes;
  const underlayNeededForStandard = STANDARD_INNER_MTU + encapsulationBytes + transportBytes;
  const encapName = input.encapsulation === "vxlan" ? "VXLAN" : "L2TPv3";
  const arithmetic = [
    `underlay MTU ${input.underlayMtu}`,
    `− ${encapsulationBytes} ${encapName} over ${family === "ipv4" ? "IPv4" : "IPv6"}`,
    ...(transportBytes ? [`− ${transportBytes} IPsec ESP (tunnel mode, worst case)`] : []),
    `= inner MTU ${innerMtu}; TCP MSS ${innerMtu - TCP_IP_HEADERS.ipv4} (inner MTU − 40)`,
  ];
  return {
    underlayMtu: input.underlayMtu,
    encapsulationBytes,
    transportBytes,
    innerMtu,
    mss: innerMtu - TCP_IP_HEADERS.ipv4,
    fitsStandardFrames: innerMtu >= STANDARD_INNER_MTU,
    underlayNeededForStandard,
    arithmetic,
  };
}

/** What to tell an operator whose underlay cannot carry 1500-byte inner packets. */
export function describeMtuShortfall(budget: MtuBudget): string | null {
  if (budget.fitsStandardFrames) return null;
  return (
    `The underlay MTU of ${budget.underlayMtu} leaves ${budget.innerMtu} bytes for the stretched network, ` +
    `${STANDARD_INNER_MTU - budget.innerMtu} short of 1500. Raise the underlay MTU to at least ` +
    `${budget.underlayNeededForStandard}, or set the workloads' MTU to ${budget.innerMtu} and clamp TCP MSS to ${budget.mss} ` +
    "on both gateways."
  );
}
