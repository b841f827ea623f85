/**
 * Source-site gateway on VyOS 1.4 (Sagitta): configuration-mode `set` commands that build a
 * unicast VXLAN interface toward the AVS edge bridge and bridge it with the tenant's LAN, plus
 * an undo file with the matching `delete` commands. Syntax follows the VyOS 1.4 documentation
 * (interfaces vxlan / bridge / ethernet vif, `ip adjust-mss`) and vyos-1x's own checks: VXLAN
 * names are vxlanN, the VXLAN MTU is 1200–16000, and the underlay NIC must carry MTU + overhead.
 *
 * For an IPsec VPN tenant the same file first sets up the IPsec peer to the AVS edge bridge's
 * strongSwan (lib/gateway/targets/ipsec-vendors.ts), so the VXLAN never runs unprotected.
 *
 * VXLAN only: VyOS has L2TPv3 interfaces, but this console generates L2TPv3 for no platform yet
 * (docs/decisions.md, gateway configs).
 */
import { STANDARD_INNER_MTU } from "@/lib/domain/mtu";
import { headerLines } from "../header";
import { describeIpsecBehaviour, planIpsec, PSK_READ_AS_ENCODING, type IpsecPlan } from "../ipsec";
import { GeneratorInputError, type GatewayContext, type GatewayTarget } from "../types";
import { VYOS_DPD_ACTION, vyosIpsecCommands, vyosIpsecUndo } from "./ipsec-vendors";
import { vyosGuardFiles, vyosInstallSteps, vyosPairCommands, vyosUndoSteps, type VyosDevices } from "./vyos-pair";

const DEFAULT_UNDERLAY = "eth0";
const DEFAULT_LAN = "eth1";
/** vyos-1x: `((eth|lan)[0-9]+|(eno|ens|enp|enx).+)` for ethernet, `bond[0-9]+` for bonding; no dots or slashes on Linux. */
const ETHERNET = /^(?:(?:eth|lan)\d+|(?:eno|ens|enp|enx)[A-Za-z0-9_-]+)$/;
const BONDING = /^bond\d+$/;
/** Linux IFNAMSIZ less the terminating NUL. */
const IFNAME_MAX = 15;
/** vyos-1x interfaces_vxlan.xml: mtu 1200-16000. */
const VXLAN_MTU_MIN = 1200;

type VyosInterface = { type: "ethernet" | "bonding"; name: string };

function vyosInterface(name: string, field: string): VyosInterface {
  const type = ETHERNET.test(name) ? "ethernet" : BONDING.test(name) ? "bonding" : null;
  if (!type || name.length > IFNAME_MAX) {
    throw new GeneratorInputError(
      field,
      `VyOS cannot use "${name}" here: give an ethernet NIC (eth0, lan1, ens18, enp1s0 …) or a bond (bond0), at most ${IFNAME_MAX} characters, without a VLAN suffix.`,
    );
  }
  return { type, name };
}

export function vyosNames(context: GatewayContext) {
  const { tenant, tunnel } = context;
  const underlay = vyosInterface(tunnel.source.underlayInterface ?? DEFAULT_UNDERLAY, "tunnel.source.underlayInterface");
  const lan = vyosInterface(tunnel.source.lanInterface ?? DEFAULT_LAN, "tunnel.source.lanInterface");
  const lanMember = tunnel.source.lanTagged ? `${lan.name}.${tenant.vlanId}` : lan.name;
  if (lanMember.length > IFNAME_MAX) {
    throw new GeneratorInputError("tunnel.source.lanInterface", `VyOS names the VLAN interface ${lanMember}, longer than Linux's ${IFNAME_MAX} characters: use a shorter LAN NIC name.`);
  }
  return { underlay, lan, lanMember, vxlan: `vxlan${tenant.vni}`, bridge: `br${tenant.vlanId}` };
}

function vyosDevices(context: GatewayContext): VyosDevices {
  const names = vyosNames(context);
  return { vxlan: names.vxlan, bridge: names.bridge, lanMember: names.lanMember, underlay: names.underlay.name };
}

function fileBase(context: GatewayContext) {
  return `source/vyos/bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/**
 * The source end's IPsec peer when the transport is an IPsec VPN, else null. VyOS writes its key
 * into swanctl.conf as it stands, where "0x…"/"0s…" is read as hex/base64: such a key (stored
 * before the console stopped issuing them) would be other bytes here than at the edge bridge.
 */
function ipsecPlan(context: GatewayContext): IpsecPlan | null {
  if (context.tenant.transport !== "ipsec-vpn") return null;
  const plan = planIpsec(context, "source");
  if (PSK_READ_AS_ENCODING.test(plan.psk)) {
    throw new GeneratorInputError(
      "tunnel.psk",
      `This tunnel's pre-shared key starts with "${plan.psk.slice(0, 2)}", which VyOS hands to strongSwan as ${/^0x/i.test(plan.psk) ? "hex" : "base64"} rather than as text, so the two ends would hold different keys. Remove the tunnel and add it again for a new key, or use another source platform.`,
    );
  }
  return plan;
}

function renderApply(context: GatewayContext): string {
  const { tenant, tunnel, mtu } = context;
  const names = vyosNames(context);
  const ipsec = ipsecPlan(context);
  if (mtu.innerMtu < VXLAN_MTU_MIN) {
    throw new GeneratorInputError(
      "tenant.underlayMtu",
      `VyOS cannot set a VXLAN MTU below ${VXLAN_MTU_MIN}, and this underlay leaves ${mtu.innerMtu}: raise the underlay MTU to at least ${mtu.underlayMtu + VXLAN_MTU_MIN - mtu.innerMtu}.`,
    );
  }
  const tag = `bridgehead:${tenant.slug}:t${tunnel.ordinal}`;
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const vx = `set interfaces vxlan ${names.vxlan}`;
  const br = `set interfaces bridge ${names.bridge}`;
  const lan = `set interfaces ${names.lan.type} ${names.lan.name}`;
  const lines = [
    ...headerLines(context, {
      comment: "#",
      title: "Source-site gateway, VyOS 1.4 (configuration-mode commands)",
      apply: [
        ...vyosInstallSteps(context),
        "configure",
        `paste this file (${file}.vyos); it ends with commit and save`,
        `check: run show interfaces vxlan ${names.vxlan}; run show bridge ${names.bridge} fdb${context.pair ? "; run show vrrp" : ""}`,
      ],
      undo: ["configure", `paste ${file}-undo.vyos; it ends with commit and save`, ...vyosUndoSteps(context)],
      notes: ipsec ? describeIpsecBehaviour(ipsec, { dpdAction: VYOS_DPD_ACTION }) : undefined,
    }),
    `# Guard:       storm control, BPDU filter${context.pair ? " and the pair's gate" : ""} on ${names.vxlan}: the nftables table in ${file}-guard.nft,`,
    "#              loaded before this configuration (see Apply) and at every boot.",
    "",
    ...(mtu.underlayMtu > STANDARD_INNER_MTU
      ? [
          `# The underlay NIC must carry the full ${mtu.underlayMtu}-byte packets: VyOS refuses a VXLAN MTU that does not fit on it.`,
          `set interfaces ${names.underlay.type} ${names.underlay.name} mtu ${mtu.underlayMtu}`,
          "",
        ]
      : []),
    ...(ipsec ? [...vyosIpsecCommands(ipsec), ""] : []),
    `# VXLAN to the AVS edge bridge, unicast (head-end replication to the one remote VTEP).`,
    `${vx} description '${tag}'`,
    `${vx} vni ${tenant.vni}`,
    `${vx} remote ${tunnel.avs.underlayIp}`,
    `${vx} source-address ${tunnel.source.underlayIp}`,
    `${vx} source-interface ${names.underlay.name}`,
    // VyOS before 1.4 defaulted to Linux's 8472; say the port so both ends agree whatever the release.
    `${vx} port ${context.vxlanPort}`,
    `${vx} mtu ${mtu.innerMtu}`,
    "",
    ...(tunnel.source.lanTagged
      ? [`# VLAN ${tenant.vlanId} arrives tagged on ${names.lan.name}: a vif takes the tag off before the bridge.`, `${lan} vif ${tenant.vlanId} description '${tag}'`, ""]
      : []),
    `# The bridge joins the tenant's LAN and the tunnel into one L2 segment.`,
    `${br} description '${tag}'`,
    `${br} member interface ${names.lanMember}`,
    `${br} member interface ${names.vxlan}`,
    // VyOS gives a bridge MTU 1500 unless told; a shorter tunnel must lower it, or routed packets into the segment are dropped at the VXLAN port.
    `${br} mtu ${Math.min(mtu.innerMtu, STANDARD_INNER_MTU)}`,
    ...(mtu.fitsStandardFrames
      ? []
      : [
          "",
          `# TCP MSS clamp to ${mtu.mss}. VyOS clamps in its IP forward path: this covers TCP that this router routes into or`,
          `# out of ${names.bridge} (when it is also the subnet's gateway). Frames it only bridges are not seen there, so keep`,
          `# the workloads at MTU ${mtu.innerMtu} as the header says.`,
          `${br} ip adjust-mss ${mtu.mss}`,
        ]),
    ...(context.pair ? ["", ...vyosPairCommands(context, vyosDevices(context))] : []),
    "",
    "commit",
    "save",
    "",
  ];
  return lines.join("\n");
}

function renderUndo(context: GatewayContext): string {
  const { tenant, tunnel, mtu } = context;
  const names = vyosNames(context);
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const lines = [
    ...headerLines(context, {
      comment: "#",
      title: "Source-site gateway, VyOS 1.4 (undo)",
      apply: [...vyosInstallSteps(context), "configure", `paste ${file}.vyos; it ends with commit and save`],
      undo: ["configure", `paste this file (${file}-undo.vyos); it ends with commit and save`, ...vyosUndoSteps(context)],
    }),
    "",
    ...(context.pair ? ["# The pair's VRRP group first: it watches the bridge.", `delete high-availability vrrp group ${file}`] : []),
    // The bridge goes first: vyos-1x refuses to delete an interface that is still a bridge member.
    `delete interfaces bridge ${names.bridge}`,
    `delete interfaces vxlan ${names.vxlan}`,
    ...(tunnel.source.lanTagged ? [`delete interfaces ${names.lan.type} ${names.lan.name} vif ${tenant.vlanId}`] : []),
    ...(context.tenant.transport === "ipsec-vpn" ? ["# The IPsec last: the VXLAN that it protects is gone.", ...vyosIpsecUndo(planIpsec(context, "source"))] : []),
    ...(mtu.underlayMtu > STANDARD_INNER_MTU
      ? [`# ${names.underlay.name} keeps MTU ${mtu.underlayMtu}: other traffic on the underlay may rely on it.`]
      : []),
    "",
    "commit",
    "save",
    "",
  ];
  return lines.join("\n");
}

export const vyosTarget: GatewayTarget = {
  id: "vyos",
  label: "VyOS",
  role: "source-gateway",
  sides: ["source"],
  summary: "On the source-site VyOS router: paste the commands in configuration mode to bridge the tenant's VLAN into the VXLAN tunnel.",
  applyOrder: 20,
  // L2TPv3 on VyOS is not generated; see the file comment.
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate(context) {
    const base = fileBase(context);
    return [
      // With IPsec the file holds the pre-shared key.
      { path: `${base}.vyos`, contents: renderApply(context), mode: context.tenant.transport === "ipsec-vpn" ? 0o600 : 0o644 },
      { path: `${base}-undo.vyos`, contents: renderUndo(context), mode: 0o644 },
      ...vyosGuardFiles(context, "source/vyos", vyosDevices(context)),
    ];
  },
};
