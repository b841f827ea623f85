/**
 * Source-site gateway on Cisco IOS XE routers (CSR 1000v, Catalyst 8000V; IOS XE 17.3 or later):
 * a static VXLAN L2 extension without EVPN. `interface nve1` carries the VNI with static
 * ingress replication to the AVS end; a bridge domain joins that VNI with an Ethernet service
 * instance on the LAN NIC (dot1q with the tag popped, or untagged). This is the layout of
 * Cisco's CSR 1000v VxLAN support guide and of working 17.3 configs (`member vni N` /
 * `ingress-replication <peer>` under nve1, `member vni` + `member <if> service-instance` under the
 * bridge domain).
 *
 * For an IPsec VPN tenant the same file first sets up the IKEv2 peer and the crypto map that
 * protect the VXLAN (lib/gateway/targets/ipsec-vendors.ts).
 *
 * VXLAN only: IOS XE has L2TPv3 pseudowires (xconnect), but this console does not generate them.
 */
import ipaddr from "ipaddr.js";
import { STANDARD_INNER_MTU } from "@/lib/domain/mtu";
import { headerLines } from "../header";
import { describeIpsecBehaviour, planIpsec } from "../ipsec";
import { GeneratorInputError, type GatewayContext, type GatewayTarget } from "../types";
import { IOSXE_DPD_ACTION, iosxeCryptoMapSequence, iosxeIpsecConfig, iosxeIpsecUndo } from "./ipsec-vendors";
import { iosxeGuardComment, iosxePairConfig, iosxePairUndo } from "./cisco-iosxe-pair";

const DEFAULT_UNDERLAY = "GigabitEthernet1";
const DEFAULT_LAN = "GigabitEthernet2";
/**
 * Main Ethernet interfaces and port-channels, written out in full (IOS accepts abbreviations at the
 * prompt, but a config file should say what `show running-config` will). No sub-interfaces: service
 * instances and `mtu` live on the main interface.
 */
const IOS_INTERFACE = /^(?:GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE|Port-channel)\d+(?:\/\d+){0,3}$/;

function iosInterface(name: string, field: string): string {
  if (!IOS_INTERFACE.test(name)) {
    throw new GeneratorInputError(
      field,
      `IOS XE has no interface "${name}": give the full name of a main interface (GigabitEthernet2, TenGigabitEthernet0/0/1, Port-channel1), not a sub-interface or a Linux name.`,
    );
  }
  return name;
}

export function iosxeNames(context: GatewayContext) {
  const { tunnel, tenant } = context;
  return {
    underlay: iosInterface(tunnel.source.underlayInterface ?? DEFAULT_UNDERLAY, "tunnel.source.underlayInterface"),
    lan: iosInterface(tunnel.source.lanInterface ?? DEFAULT_LAN, "tunnel.source.lanInterface"),
    nve: "nve1",
    bridgeDomain: tenant.vlanId,
    serviceInstance: tenant.vlanId,
    bdi: `BDI${tenant.vlanId}`,
  };
}

function pairNames(context: GatewayContext) {
  const n = iosxeNames(context);
  return { underlay: n.underlay, lan: n.lan, bdi: n.bdi, bridgeDomain: n.bridgeDomain, vni: context.tenant.vni, vlan: context.tenant.vlanId };
}

function checkUnderlay(context: GatewayContext) {
  // The static ingress-replication configs this file follows are IPv4 only; say so rather than guess.
  if (!ipaddr.IPv4.isValid(context.tunnel.source.underlayIp)) {
    throw new GeneratorInputError("tunnel.source.underlayIp", "The IOS XE file is written for an IPv4 underlay: give both ends IPv4 underlay addresses, or use the VyOS, RouterOS or Linux files.");
  }
}

function fileBase(context: GatewayContext) {
  return `source/cisco-iosxe/bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

const TITLE = "Source-site gateway, Cisco IOS XE 17.3+ on CSR 1000v / Catalyst 8000V (static VXLAN, no EVPN)";

function renderApply(context: GatewayContext): string {
  checkUnderlay(context);
  const { tenant, tunnel, mtu } = context;
  const n = iosxeNames(context);
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const ipsec = tenant.transport === "ipsec-vpn" ? planIpsec(context, "source") : null;
  const lines = [
    ...headerLines(context, {
      comment: "!",
      title: TITLE,
      notes: ipsec ? describeIpsecBehaviour(ipsec, { dpdAction: IOSXE_DPD_ACTION }) : undefined,
      apply: [
        "configure terminal",
        `paste this file (${file}.ios); it ends with end`,
        `check: show nve peers; show bridge-domain ${n.bridgeDomain}${context.pair ? "; show vrrp brief" : ""}`,
        "then: write memory",
      ],
      undo: ["configure terminal", `paste ${file}-undo.ios`, "then: write memory"],
    }),
    "!",
    ...iosxeGuardComment(),
    "!",
    ...(mtu.underlayMtu > STANDARD_INNER_MTU
      ? [`! The underlay NIC must carry the full ${mtu.underlayMtu}-byte packets (IOS XE defaults to 1500).`, `interface ${n.underlay}`, ` mtu ${mtu.underlayMtu}`, "!"]
      : []),
    ...(ipsec ? iosxeIpsecConfig(ipsec, n.underlay, iosxeCryptoMapSequence(tenant.vlanId, tunnel.ordinal)) : []),
    `! The VXLAN tunnel endpoint, sourced from ${n.underlay} (${tunnel.source.underlayIp}). ${n.nve} is shared by every VNI on this router.`,
    `interface ${n.nve}`,
    " no shutdown",
    ` source-interface ${n.underlay}`,
    ` vxlan udp port ${context.vxlanPort}`,
    ` member vni ${tenant.vni}`,
    `  ingress-replication ${tunnel.avs.underlayIp}`,
    "!",
    ...(tunnel.source.lanTagged
      ? [
          `! VLAN ${tenant.vlanId} arrives tagged on ${n.lan}; the tag is popped so the tunnel carries plain frames, as the AVS end expects.`,
          `interface ${n.lan}`,
          ` service instance ${n.serviceInstance} ethernet`,
          `  encapsulation dot1q ${tenant.vlanId}`,
          "  rewrite ingress tag pop 1 symmetric",
        ]
      : [`! VLAN ${tenant.vlanId} arrives untagged on ${n.lan}.`, `interface ${n.lan}`, ` service instance ${n.serviceInstance} ethernet`, "  encapsulation untagged"]),
    "!",
    ...(context.pair
      ? [`! The bridge domain joins the LAN service instance and, on the pair's active router only, the VNI.`, `bridge-domain ${n.bridgeDomain}`]
      : [`! The bridge domain joins the LAN service instance and the VNI into one L2 segment.`, `bridge-domain ${n.bridgeDomain}`, ` member vni ${tenant.vni}`]),
    ` member ${n.lan} service-instance ${n.serviceInstance}`,
    "!",
    ...iosxePairConfig(context, pairNames(context)),
    ...(mtu.fitsStandardFrames
      ? []
      : [
          `! TCP MSS clamp to ${mtu.mss}. IOS XE clamps only TCP it routes, so this takes effect on ${n.bdi} once it carries`,
          `! the subnet's gateway address (this router is the tenant's default gateway). Frames it only bridges are`,
          `! not clamped here: keep the workloads at MTU ${mtu.innerMtu} as the header says.`,
          `interface ${n.bdi}`,
          ` ip tcp adjust-mss ${mtu.mss}`,
          "!",
        ]),
    "end",
    "",
  ];
  return lines.join("\n");
}

function renderUndo(context: GatewayContext): string {
  checkUnderlay(context);
  const { tenant, tunnel, mtu } = context;
  const n = iosxeNames(context);
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const lines = [
    ...headerLines(context, {
      comment: "!",
      title: `${TITLE} (undo)`,
      apply: ["configure terminal", `paste ${file}.ios`],
      undo: ["configure terminal", `paste this file (${file}-undo.ios); it ends with end`, "then: write memory"],
    }),
    "!",
    ...iosxePairUndo(context, pairNames(context)),
    // The BDI and the bridge domain first: the bridge domain refers to the service instance and the VNI.
    ...(mtu.fitsStandardFrames && !context.pair ? [] : [`no interface ${n.bdi}`]),
    `no bridge-domain ${n.bridgeDomain}`,
    `interface ${n.lan}`,
    ` no service instance ${n.serviceInstance} ethernet`,
    "!",
    `! ${n.nve} itself stays: other VNIs may use it. Remove it with "no interface ${n.nve}" once none is left.`,
    `interface ${n.nve}`,
    ` no member vni ${tenant.vni}`,
    "!",
    ...(tenant.transport === "ipsec-vpn" ? iosxeIpsecUndo(planIpsec(context, "source"), iosxeCryptoMapSequence(tenant.vlanId, tunnel.ordinal)) : []),
    ...(mtu.underlayMtu > STANDARD_INNER_MTU
      ? [`! ${n.underlay} keeps MTU ${mtu.underlayMtu}: other traffic on the underlay may rely on it.`, "!"]
      : []),
    "end",
    "",
  ];
  return lines.join("\n");
}

export const ciscoIosxeTarget: GatewayTarget = {
  id: "cisco-iosxe",
  label: "Cisco IOS XE (CSR 1000v / Catalyst 8000V)",
  role: "source-gateway",
  sides: ["source"],
  summary: "On the source-site IOS XE router: paste the configuration to bridge the tenant's VLAN into a static VXLAN tunnel.",
  applyOrder: 20,
  // L2TPv3 on IOS XE is not generated; see the file comment.
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate(context) {
    const base = fileBase(context);
    return [
      // With IPsec the file holds the pre-shared key.
      { path: `${base}.ios`, contents: renderApply(context), mode: context.tenant.transport === "ipsec-vpn" ? 0o600 : 0o644 },
      { path: `${base}-undo.ios`, contents: renderUndo(context), mode: 0o644 },
    ];
  },
};
