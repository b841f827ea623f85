/**
 * What the declarative Linux source-gateway formats (systemd-networkd, netplan, ifupdown2) share:
 * the device plan for the source end, the checks that make a name fit for Linux, and the comment
 * that says how to clamp TCP MSS, which none of these formats can do itself.
 *
 * All three describe the same devices as the iproute2 scripts: vx<vni> (unicast VXLAN from this
 * end's underlay address to the AVS end's), br<vlan>, and the LAN port (the 802.1Q
 * sub-interface <lan>.<vlan> on a trunk, else the LAN NIC itself). The VXLAN device is not
 * bound to the underlay NIC: the kernel routes the outer packets by their addresses, so nothing
 * has to be added to the underlay NIC's own configuration, which is the operator's.
 */
import { linuxNames } from "../header";
import { GeneratorInputError, type GatewayContext } from "../types";

/** IFNAMSIZ less the terminating NUL: the kernel refuses longer names. */
export const LINUX_IFNAME_MAX = 15;
export const DEFAULT_UNDERLAY = "eth0";
export const DEFAULT_LAN = "eth1";
/** TCP over IPv6 has 20 more bytes of headers than over IPv4, the budget's MSS. */
export const IPV6_EXTRA_HEADER = 20;

export type LinuxSourcePlan = {
  vni: number;
  vlanId: number;
  vxlan: string;
  bridge: string;
  /** Named in comments only: the outer packets leave by the route to `remote`. */
  underlay: string;
  lan: string;
  /** The bridge's LAN port: `<lan>.<vlan>` when tagged, the LAN NIC itself otherwise. */
  lanPort: string;
  tagged: boolean;
  local: string;
  remote: string;
  ipv6Underlay: boolean;
  port: number;
  innerMtu: number;
};

/** A NIC name the kernel takes, or a GeneratorInputError naming the field. Shared by every Linux target. */
export function linuxInterfaceName(name: string, field: string, what: string): string {
  if (name.includes("/")) {
    throw new GeneratorInputError(field, `"${name}" contains "/", which a Linux interface name cannot. Give the ${what} by its Linux name (see \`ip -br link\`).`);
  }
  if (name.length > LINUX_IFNAME_MAX) {
    throw new GeneratorInputError(
      field,
      `"${name}" is ${name.length} characters; Linux interface names are at most ${LINUX_IFNAME_MAX}. Give the ${what} by its Linux name (see \`ip -br link\`).`,
    );
  }
  return name;
}

/**
 * The source end's devices, or a GeneratorInputError naming the field to fix. `format` names the
 * target in messages, e.g. "The systemd-networkd units".
 */
export function planLinuxSource(context: GatewayContext, format: string): LinuxSourcePlan {
  const { tenant, tunnel } = context;
  if (tenant.encapsulation !== "vxlan") {
    throw new GeneratorInputError(
      "tenant.encapsulation",
      `${format} carry VXLAN only, and this tenant uses ${tenant.encapsulation.toUpperCase()}. ` +
        "Bridgehead does not write L2TPv3 for a Linux source gateway in any format, the Linux iproute2 scripts (linux-iproute2) included: " +
        "switch the tenant's encapsulation to VXLAN.",
    );
  }
  const source = tunnel.source;
  const underlay = linuxInterfaceName(source.underlayInterface ?? DEFAULT_UNDERLAY, "tunnel.source.underlayInterface", "underlay NIC");
  const lan = linuxInterfaceName(source.lanInterface ?? DEFAULT_LAN, "tunnel.source.lanInterface", "LAN NIC");
  const names = linuxNames(context);
  const lanPort = source.lanTagged ? names.lanVlan(lan) : lan;
  if (lanPort.length > LINUX_IFNAME_MAX) {
    throw new GeneratorInputError(
      "tunnel.source.lanInterface",
      `The VLAN sub-interface "${lanPort}" would be ${lanPort.length} characters; Linux allows ${LINUX_IFNAME_MAX}. ` +
        `Use a LAN NIC name of at most ${LINUX_IFNAME_MAX - 1 - String(tenant.vlanId).length} characters (rename it with a systemd .link file if need be).`,
    );
  }
  if (!source.lanTagged && lan === underlay) {
    throw new GeneratorInputError(
      "tunnel.source.lanInterface",
      `The LAN NIC and the underlay NIC are both "${lan}". An untagged LAN NIC becomes a bridge port and loses its addresses: give the tenant its own NIC, or mark the VLAN as tagged.`,
    );
  }
  return {
    vni: tenant.vni,
    vlanId: tenant.vlanId,
    vxlan: names.vxlan,
    bridge: names.bridge,
    underlay,
    lan,
    lanPort,
    tagged: source.lanTagged,
    local: source.underlayIp,
    remote: tunnel.avs.underlayIp,
    ipv6Underlay: source.underlayIp.includes(":"),
    port: context.vxlanPort,
    innerMtu: context.mtu.innerMtu,
  };
}

/** The nftables table the MSS comment proposes; the same name the iproute2 apply script uses. */
function nftTableName(context: GatewayContext): string {
  return `bh_${context.tenant.slug.replaceAll("-", "_")}_t${context.tunnel.ordinal}_source`;
}

/** Marks the lines of the nftables ruleset inside the MSS comment, so one sed prints them. */
export const NFT_LINE_MARK = "| ";

/**
 * Comment lines that follow the header. headerLines' warning says MSS is clamped "below"; these
 * formats cannot clamp it, so when the inner MTU is under 1500 the file says so and carries the
 * nftables ruleset that does (the one the iproute2 apply script loads), each line marked so that
 * `sed -n 's/^#| //p'` extracts it. Empty when 1500-byte packets fit.
 */
export function mssClampComment(
  context: GatewayContext,
  options: { comment: string; format: string; fileName: string; /** Another file of the set that carries the ruleset: point there. */ rulesetIn?: string },
): string[] {
  const { mtu } = context;
  if (mtu.fitsStandardFrames) return [];
  const vxlan = linuxNames(context).vxlan;
  const table = nftTableName(context);
  const c = options.comment;
  if (options.rulesetIn) {
    return [
      `${c} MSS clamp:   NOT done by this file: ${options.format} cannot clamp TCP MSS. Clamp it to ${mtu.mss} (IPv4) and`,
      `${c}              ${mtu.mss - IPV6_EXTRA_HEADER} (IPv6) with the nftables ruleset in ${options.rulesetIn}.`,
    ];
  }
  const nft = (line: string) => `${c}${NFT_LINE_MARK}${line}`;
  const rule = (direction: string, family: "ip" | "ip6", mss: number) =>
    nft(`    ${direction} "${vxlan}" ether type ${family} tcp flags & (syn | rst) == syn tcp option maxseg size > ${mss} tcp option maxseg size set ${mss}`);
  return [
    `${c} MSS clamp:   NOT done by this file: ${options.format} cannot clamp TCP MSS. Until the underlay MTU is`,
    `${c}              raised, clamp it to ${mtu.mss} (IPv4) and ${mtu.mss - IPV6_EXTRA_HEADER} (IPv6) on frames crossing ${vxlan} with the nftables`,
    `${c}              ruleset below (the Linux iproute2 apply script loads the same one):`,
    `${c}                mkdir -p /etc/nftables.d`,
    `${c}                sed -n 's/^${c}${NFT_LINE_MARK}//p' ${options.fileName} > /etc/nftables.d/${table}.nft`,
    `${c}                nft -f /etc/nftables.d/${table}.nft`,
    `${c}              and add \`include "/etc/nftables.d/${table}.nft"\` to /etc/nftables.conf to keep it after a reboot.`,
    `${c}              Undo: nft delete table bridge ${table}; rm /etc/nftables.d/${table}.nft (and the include).`,
    nft(`table bridge ${table}`),
    nft(`delete table bridge ${table}`),
    nft(`table bridge ${table} {`),
    nft("  chain forward {"),
    nft("    type filter hook forward priority 0; policy accept;"),
    ...["iifname", "oifname"].flatMap((direction) => [rule(direction, "ip", mtu.mss), rule(direction, "ip6", mtu.mss - IPV6_EXTRA_HEADER)]),
    nft("  }"),
    nft("}"),
  ];
}

/** The file stem every Linux file of one tunnel end shares: bh-<slug>-t<ordinal>. */
export function linuxSourceStem(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}
