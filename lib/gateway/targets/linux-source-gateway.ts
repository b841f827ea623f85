/**
 * What the declarative Linux source-gateway formats (systemd-networkd, netplan, ifupdown2) share:
 * the device plan for the source end, the checks that make a name fit for Linux, and the files
 * none of these formats can express itself: the tunnel guard (storm control and the TCP MSS
 * clamp, an nftables table) with the unit that loads it, and in a pair the keepalived files.
 *
 * All three describe the same devices as the iproute2 scripts: vx<vni> (unicast VXLAN from this
 * end's underlay address to the AVS end's), br<vlan>, and the LAN port (the 802.1Q
 * sub-interface <lan>.<vlan> on a trunk, else the LAN NIC itself). The VXLAN device is not
 * bound to the underlay NIC: the kernel routes the outer packets by their addresses, so nothing
 * has to be added to the underlay NIC's own configuration, which is the operator's.
 */
import { LINUX_IFNAME_MAX, linuxInterfaceNameProblem } from "@/lib/domain/limits";
import { linuxNames } from "../header";
import { planPairEnd } from "../pair";
import { guardTableName, renderGuardRuleset } from "../tunnel-guard";
import { GeneratorInputError, type GatewayContext, type GeneratedFile } from "../types";
import { KEEPALIVED_BASE, PAIR_PATHS, renderPairFiles } from "./linux-pair";

export { LINUX_IFNAME_MAX } from "@/lib/domain/limits";
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
  const problem = linuxInterfaceNameProblem(name);
  if (problem) throw new GeneratorInputError(field, `${problem} Give the ${what} by its Linux name (see \`ip -br link\`).`);
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

/**
 * The tunnel guard (tunnel-guard.ts) for the declarative formats, which cannot express nftables
 * themselves: the ruleset as a file for /etc/nftables.d and a unit that loads it at boot, after
 * nftables.service (whose `flush ruleset` would otherwise remove it) and before any network is
 * configured, so the tunnel port never forwards unguarded. PartOf= reloads it whenever
 * nftables.service restarts; in a pair the pair helper then reopens the gate on the active end.
 */
export function linuxGuardFiles(context: GatewayContext, dir: string, plan: LinuxSourcePlan, header: (what: string) => string[]): GeneratedFile[] {
  const stem = linuxSourceStem(context);
  const table = guardTableName(context.tenant.slug, context.tunnel.ordinal, "source");
  const mss = context.mtu.fitsStandardFrames ? null : { ipv4: context.mtu.mss, ipv6: context.mtu.mss - IPV6_EXTRA_HEADER };
  const pair = context.pair !== null;
  const ruleset = [...header(`tunnel guard for ${plan.vxlan} (nftables)`), "", ...renderGuardRuleset({ table, vxlan: plan.vxlan, mss, pair }), ""].join("\n");
  const unit = [
    ...header(`tunnel guard loader (systemd unit)`),
    "",
    "[Unit]",
    `Description=Bridgehead tunnel guard for ${context.tenant.slug} tunnel ${context.tunnel.ordinal} (storm control on ${plan.vxlan})`,
    "DefaultDependencies=no",
    "After=nftables.service",
    "PartOf=nftables.service",
    "Before=network-pre.target",
    "Wants=network-pre.target",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=/usr/sbin/nft -f ${GUARD_DIR}/${stem}-guard.nft`,
    ...(pair ? [`# The ruleset starts with the pair's gate closed: the pair helper reopens it if this end is the active one.`, `ExecStartPost=-${PAIR_PATHS.helperDir}/${stem}-pair.sh sync`] : []),
    `ExecStop=/usr/sbin/nft delete table bridge ${table}`,
    "",
    "[Install]",
    "WantedBy=sysinit.target",
    "",
  ].join("\n");
  return [
    { path: `${dir}/${stem}-guard.nft`, contents: ruleset, mode: 0o644 },
    { path: `${dir}/${stem}-guard.service`, contents: unit, mode: 0o644 },
  ];
}

/** The header lines that say where the guard is, for the files of a format that cannot carry it. */
export function guardNote(context: GatewayContext, format: string): string[] {
  const stem = linuxSourceStem(context);
  const mss = context.mtu.fitsStandardFrames ? "" : `, TCP MSS clamp to ${context.mtu.mss} (IPv4) and ${context.mtu.mss - IPV6_EXTRA_HEADER} (IPv6)`;
  return [
    `# Guard:       storm control, BPDU filter${mss} on the tunnel port: ${format} cannot express them,`,
    `#              so they are the nftables table in ${stem}-guard.nft, loaded at boot by ${stem}-guard.service.`,
  ];
}

/** Where the guard's ruleset is installed; the unit names it. */
export const GUARD_DIR = "/etc/nftables.d";

/** The install steps every declarative format's header gives for its guard (and pair) files, first. */
export function guardApplySteps(context: GatewayContext): string[] {
  const stem = linuxSourceStem(context);
  return [
    `First the tunnel guard (storm control${context.mtu.fitsStandardFrames ? "" : ", TCP MSS clamp"}), before the tunnel port exists:`,
    `  install -D -m 644 ${stem}-guard.nft ${GUARD_DIR}/${stem}-guard.nft`,
    `  install -m 644 ${stem}-guard.service /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now ${stem}-guard.service`,
    ...(context.pair
      ? [
          "Then the pair (apt-get install keepalived arp-scan):",
          `  install -D -m 755 ${stem}-pair.sh ${PAIR_PATHS.helperDir}/${stem}-pair.sh`,
          `  install -D -m 644 ${stem}-keepalived.conf ${PAIR_PATHS.keepalivedDir}/${stem}.conf`,
          "  keepalived.conf to /etc/keepalived/ if there is none (else add its global_defs options and include line to yours)",
        ]
      : []),
  ];
}

/** The matching undo steps, last. */
export function guardUndoSteps(context: GatewayContext): string[] {
  const stem = linuxSourceStem(context);
  return [
    ...(context.pair ? [`rm ${PAIR_PATHS.keepalivedDir}/${stem}.conf ${PAIR_PATHS.helperDir}/${stem}-pair.sh && systemctl reload keepalived`] : []),
    `systemctl disable --now ${stem}-guard.service && rm /etc/systemd/system/${stem}-guard.service ${GUARD_DIR}/${stem}-guard.nft`,
  ];
}

/** The pair's keepalived snippet, helper and base keepalived.conf for a Linux source gateway. */
export function linuxSourcePairFiles(context: GatewayContext, dir: string, plan: LinuxSourcePlan, header: (what: string) => string[]): GeneratedFile[] {
  const pairPlan = planPairEnd(context, "source");
  if (!pairPlan) return [];
  const stem = linuxSourceStem(context);
  const files = renderPairFiles(
    context,
    pairPlan,
    { vxlan: plan.vxlan, bridge: plan.bridge, lanPort: plan.lanPort, underlay: plan.underlay, nftTable: guardTableName(context.tenant.slug, context.tunnel.ordinal, "source"), peerIp: plan.remote },
    header,
  );
  return [
    { path: `${dir}/${stem}-pair.sh`, contents: files.helper, mode: 0o755 },
    { path: `${dir}/${stem}-keepalived.conf`, contents: files.keepalived, mode: 0o644 },
    { path: `${dir}/keepalived.conf`, contents: KEEPALIVED_BASE, mode: 0o644 },
  ];
}

/** The file stem every Linux file of one tunnel end shares: bh-<slug>-t<ordinal>. */
export function linuxSourceStem(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}
