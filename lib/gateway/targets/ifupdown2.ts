/**
 * Source-site gateway for Debian and Proxmox VE hosts run by ifupdown2: one file for
 * /etc/network/interfaces.d/ with the VXLAN device, the tenant's bridge and the LAN port.
 *
 * What ifupdown2 3.0 (Debian 12) does and does not take, found with its own checker:
 * - vxlan-local-tunnelip and vxlan-remoteip accept IPv4 only, so an IPv6 underlay is refused
 *   here (systemd-networkd, netplan and the iproute2 scripts carry it).
 * - vxlan-id runs 1–16777214.
 * - `mtu` on a bridge fails `ifreload -s` ("bridge inherits mtu from its ports"), yet a bridge
 *   without it is set to 1500 whatever its ports are; a post-up sets the inner MTU instead.
 * ifupdown2 merges several stanzas for one interface, so the untagged LAN NIC's stanza here
 * only adds the MTU to the operator's own (`iface eth1 inet manual` or none).
 */
import { headerLines } from "../header";
import { GeneratorInputError, type GatewayContext, type GatewayTarget, type GeneratedFile } from "../types";
import { PAIR_PATHS } from "./linux-pair";
import { guardApplySteps, guardNote, guardUndoSteps, linuxGuardFiles, linuxSourcePairFiles, linuxSourceStem, planLinuxSource } from "./linux-source-gateway";

/** Where the README installs this tunnel end's pair helper. */
function pairHelperPath(context: GatewayContext): string {
  return `${PAIR_PATHS.helperDir}/${linuxSourceStem(context)}-pair.sh`;
}

const DIR = "source/ifupdown2";

/** ifupdown2's vxlan addon: "validrange": ["1", "16777214"]. */
const IFUPDOWN2_VNI_MAX = 16_777_214;

export function renderIfupdown2(context: GatewayContext): GeneratedFile[] {
  const plan = planLinuxSource(context, "The ifupdown2 files");
  if (plan.ipv6Underlay) {
    throw new GeneratorInputError(
      "tunnel.source.underlayIp",
      "ifupdown2 (3.0, Debian 12 and Proxmox VE 8) takes only IPv4 VXLAN endpoints in vxlan-local-tunnelip and vxlan-remoteip, and this tunnel's underlay is IPv6. " +
        "Use the systemd-networkd units or the Linux iproute2 scripts on this gateway.",
    );
  }
  if (plan.vni > IFUPDOWN2_VNI_MAX) {
    throw new GeneratorInputError("tenant.vni", `ifupdown2 accepts VXLAN IDs up to ${IFUPDOWN2_VNI_MAX}, and this tenant's VNI is ${plan.vni}. Use the systemd-networkd units or the iproute2 scripts.`);
  }
  const fileName = linuxSourceStem(context);
  const lanStanza = plan.tagged ? [plan.lanPort] : [];
  const down = [plan.bridge, plan.vxlan, ...lanStanza];
  const header = (what: string) =>
    headerLines(context, {
      comment: "#",
      title: `Source-site gateway, ifupdown2 (Debian / Proxmox VE): ${what}`,
      apply: [
        ...guardApplySteps(context),
        `cp ${fileName} /etc/network/interfaces.d/`,
        "grep -q '^source /etc/network/interfaces.d/' /etc/network/interfaces || echo 'source /etc/network/interfaces.d/*' >> /etc/network/interfaces",
        "ifreload -a -s   (syntax check: prints nothing when the files are right)",
        "ifreload -a",
        `ifquery -c ${down.join(" ")}   (compares the running state with the files)`,
        ...(context.pair ? ["systemctl restart keepalived   (it brings the tunnel port up on the active gateway only)"] : []),
      ],
      undo: [
        `ifdown ${down.join(" ")}`,
        `rm /etc/network/interfaces.d/${fileName}`,
        "ifreload -a",
        ...guardUndoSteps(context),
      ],
    });
  const lines = [
    ...header("VXLAN device, bridge and LAN port"),
    ...guardNote(context, "ifupdown2"),
    `# Underlay:    ${plan.underlay} is not configured here: the outer packets to ${plan.remote} leave by its route.`,
    "",
    `auto ${plan.vxlan}`,
    `iface ${plan.vxlan} inet manual`,
    `    vxlan-id ${plan.vni}`,
    `    vxlan-local-tunnelip ${plan.local}`,
    `    vxlan-remoteip ${plan.remote}`,
    `    vxlan-port ${plan.port}`,
    `    mtu ${plan.innerMtu}`,
    ...(context.pair ? ["    # The pair's tunnel port: keepalived brings it up on the active gateway only, ifupdown2 keeps it down.", "    link-down yes"] : []),
    "",
    ...(plan.tagged
      ? [
          `# The trunk ${plan.lan} keeps its own MTU, which must be at least this one.`,
          `auto ${plan.lanPort}`,
          `iface ${plan.lanPort} inet manual`,
          `    vlan-raw-device ${plan.lan}`,
          `    vlan-id ${plan.vlanId}`,
          `    mtu ${plan.innerMtu}`,
        ]
      : [
          "# The NIC itself is a port of the bridge, so it takes the bridge's MTU. ifupdown2 merges this",
          `# with ${plan.lan}'s own stanza in /etc/network/interfaces, if it has one.`,
          `iface ${plan.lan} inet manual`,
          `    mtu ${plan.innerMtu}`,
        ]),
    "",
    `auto ${plan.bridge}`,
    `iface ${plan.bridge} inet manual`,
    `    bridge-ports ${plan.vxlan} ${plan.lanPort}`,
    "    bridge-stp off",
    "    bridge-fd 0",
    `    # Not "mtu": ifupdown2's check refuses it on a bridge, then sets the bridge to 1500 whatever its ports.`,
    `    post-up ip link set dev ${plan.bridge} mtu ${plan.innerMtu}`,
    ...(context.pair
      ? [
          `    # Every ifreload -a (Proxmox VE's "Apply Configuration" too) takes ${plan.vxlan} down again (link-down yes), the active`,
          "    # gateway's included: the pair helper puts it back as keepalived's role says, before the pair notices a silent tunnel.",
          `    post-up [ ! -x ${pairHelperPath(context)} ] || ${pairHelperPath(context)} sync`,
        ]
      : []),
    "",
  ];
  return [
    { path: `${DIR}/${fileName}`, contents: lines.join("\n"), mode: 0o644 },
    ...linuxGuardFiles(context, DIR, plan, header),
    ...linuxSourcePairFiles(context, DIR, plan, header),
  ];
}

export const ifupdown2Target: GatewayTarget = {
  id: "ifupdown2",
  label: "Source gateway: ifupdown2 (Debian / Proxmox VE)",
  role: "source-gateway",
  sides: ["source"],
  summary: "On a source-site Debian or Proxmox VE host run by ifupdown2, copy the file to /etc/network/interfaces.d/ and run ifreload -a.",
  applyOrder: 20,
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate: renderIfupdown2,
};
