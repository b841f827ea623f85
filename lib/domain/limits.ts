/**
 * The bounds and allow-lists that several layers check (the forms' validation, the generators'
 * boundary, the database's constraints, the agents' schema), each defined once with its reason.
 */

/**
 * The underlay's MTU: the largest IP packet the network between the two gateways carries.
 * - min 1280: the IPv6 minimum link MTU. Below it an IPv6 underlay is not IPv6, and after VXLAN
 *   (50 B) and ESP (up to 73 B) the inner MTU would fall under 1,160 B, too small for the
 *   tenant's own IPv6 hosts; no underlay an operator would stretch a VLAN over is that small.
 * - max 9216: the largest jumbo frame switches and clouds commonly carry end to end.
 * - default 1500: Ethernet's, what an internet VPN or ExpressRoute circuit carries unless told
 *   otherwise.
 */
export const UNDERLAY_MTU = { min: 1280, max: 9216, default: 1500 } as const;

/**
 * The don't-fragment probe an agent sends toward its peer: from IPv4's smallest datagram every
 * host must accept (68 B, RFC 791) to the largest underlay (UNDERLAY_MTU.max).
 */
export const DF_PROBE_BYTES = { min: 68, max: UNDERLAY_MTU.max } as const;

/** RFC 1123 host names: labels of letters, digits and inner hyphens, joined by dots, 253 at most. */
export const HOST_NAME = {
  pattern: /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  message: "A host name: letters, digits, hyphens and dots, at most 253 characters, e.g. contoso-gw1.",
} as const;

/**
 * Interface names as any supported platform spells them (eth1, ens18, GigabitEthernet0/0/1,
 * ether2, bond0.100): a letter, then letters, digits and _ . / -, 32 at most. Narrower platform
 * rules (Linux: 15 characters, no "/") are the generators' to check.
 */
export const INTERFACE_NAME = {
  pattern: /^[A-Za-z][A-Za-z0-9_./-]{0,31}$/,
  message: "An interface name: a letter, then letters, digits and _ . / - (at most 32), e.g. eth1 or GigabitEthernet2.",
} as const;

/** IFNAMSIZ less the terminating NUL: the Linux kernel refuses longer interface names. */
export const LINUX_IFNAME_MAX = 15;

/**
 * Why Linux cannot take this interface name, or null when it can. The AVS edge bridge is always
 * Linux, so its NIC names must pass; the Linux source-gateway formats apply the same rule.
 */
export function linuxInterfaceNameProblem(name: string): string | null {
  if (name.includes("/")) return `"${name}" contains "/", which a Linux interface name cannot.`;
  if (name.length > LINUX_IFNAME_MAX) return `"${name}" is ${name.length} characters; Linux interface names are at most ${LINUX_IFNAME_MAX}.`;
  return null;
}
