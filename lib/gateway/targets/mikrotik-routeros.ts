/**
 * Source-site gateway on MikroTik RouterOS v7: an import script (.rsc) that adds a VXLAN
 * interface with one static remote VTEP, a bridge joining it to the tenant's LAN (through a VLAN
 * interface when the LAN is tagged), and an MSS clamp when the tunnel is short. Syntax follows
 * the RouterOS VXLAN manual (`/interface vxlan` with vni, port, local-address, mtu;
 * `/interface vxlan vteps` with remote-ip; IPv6 VTEPs since 7.6). Every object added carries
 * `comment="bridgehead:<slug>:t<ordinal>"`, which is what the undo script removes by.
 *
 * For an IPsec VPN tenant the script first adds the IPsec peer to the AVS edge bridge's
 * strongSwan (lib/gateway/targets/ipsec-vendors.ts).
 *
 * VXLAN only: RouterOS has no L2TPv3, and EoIP is not generated.
 */
import { STANDARD_INNER_MTU } from "@/lib/domain/mtu";
import { headerLines } from "../header";
import { describeIpsecBehaviour, planIpsec, type IpsecPlan } from "../ipsec";
import { GeneratorInputError, type GatewayContext, type GatewayTarget } from "../types";
import { ROUTEROS_DPD_ACTION, routerosIpsecCommands, routerosIpsecUndo } from "./ipsec-vendors";
import { routerosGuard, routerosPair, routerosPairMenus } from "./mikrotik-routeros-pair";

const DEFAULT_UNDERLAY = "ether1";
const DEFAULT_LAN = "ether2";

export function routerosNames(context: GatewayContext) {
  const { tenant, tunnel } = context;
  // RouterOS names are the operator's own (any allow-listed name can be an interface's name), so none is refused; they are always quoted.
  const lan = tunnel.source.lanInterface ?? DEFAULT_LAN;
  const vlan = `vlan${tenant.vlanId}`;
  return {
    underlay: tunnel.source.underlayInterface ?? DEFAULT_UNDERLAY,
    lan,
    vlan,
    lanMember: tunnel.source.lanTagged ? vlan : lan,
    vxlan: `vxlan${tenant.vni}`,
    bridge: `br${tenant.vlanId}`,
    comment: `bridgehead:${tenant.slug}:t${tunnel.ordinal}`,
  };
}

/** The menus the apply script adds to, in apply order; the undo script removes from them in reverse. */
function routerosMenus(context: GatewayContext): string[] {
  return [
    "/interface vxlan",
    "/interface vxlan vteps",
    ...(context.tunnel.source.lanTagged ? ["/interface vlan"] : []),
    "/interface bridge",
    "/interface bridge port",
    "/interface bridge filter",
    ...(context.mtu.fitsStandardFrames ? [] : ["/ip firewall mangle"]),
    ...routerosPairMenus(context),
  ];
}

function fileBase(context: GatewayContext) {
  return `source/mikrotik-routeros/bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

const q = (value: string) => `"${value}"`;

/**
 * RouterOS parses an identity secret that starts with "0x" as hex: such a key (stored before the
 * console stopped issuing them) would be other bytes here than the text the edge bridge holds.
 */
function routerosIpsecPlan(context: GatewayContext): IpsecPlan {
  const plan = planIpsec(context, "source");
  if (/^0x/i.test(plan.psk)) {
    throw new GeneratorInputError(
      "tunnel.psk",
      `This tunnel's pre-shared key starts with "${plan.psk.slice(0, 2)}", which RouterOS reads as hex rather than as text, so the two ends would hold different keys. Remove the tunnel and add it again for a new key, or use another source platform.`,
    );
  }
  return plan;
}

function renderApply(context: GatewayContext): string {
  const { tenant, tunnel, mtu } = context;
  const n = routerosNames(context);
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const c = `comment=${q(n.comment)}`;
  const ipsec = tenant.transport === "ipsec-vpn" ? routerosIpsecPlan(context) : null;
  const clampRule = (direction: "in-interface" | "out-interface") =>
    `add chain=forward ${direction}=${q(n.bridge)} protocol=tcp tcp-flags=syn tcp-mss=${mtu.mss + 1}-65535 action=change-mss new-mss=${mtu.mss} passthrough=yes ${c}`;
  const lines = [
    ...headerLines(context, {
      comment: "#",
      title: "Source-site gateway, MikroTik RouterOS v7 (import script)",
      apply: [`upload ${file}.rsc to the router's files`, `/import file-name=${file}.rsc`, `check: /interface vxlan vteps print; /interface bridge host print where bridge=${n.bridge}`],
      undo: [`/import file-name=${file}-undo.rsc (removes everything commented ${n.comment}${ipsec ? `, and the IPsec named ${ipsec.name}` : ""})`],
      notes: ipsec ? describeIpsecBehaviour(ipsec, { dpdAction: ROUTEROS_DPD_ACTION }) : undefined,
    }),
    "",
    ...(mtu.underlayMtu > STANDARD_INNER_MTU
      ? [
          `# The underlay NIC must carry the full ${mtu.underlayMtu}-byte packets. If RouterOS refuses, raise its l2mtu first.`,
          `/interface set [find name=${q(n.underlay)}] mtu=${mtu.underlayMtu}`,
          "",
        ]
      : []),
    ...(ipsec ? [...routerosIpsecCommands(ipsec, n.comment), ""] : []),
    `# VXLAN to the AVS edge bridge, from ${tunnel.source.underlayIp} (on ${n.underlay}). RouterOS defaults to port 8472: say ${context.vxlanPort}.`,
    "/interface vxlan",
    `add name=${q(n.vxlan)} vni=${tenant.vni} port=${context.vxlanPort} local-address=${tunnel.source.underlayIp} mtu=${mtu.innerMtu}${context.pair ? " disabled=yes" : ""} ${c}`,
    "/interface vxlan vteps",
    `add interface=${q(n.vxlan)} remote-ip=${tunnel.avs.underlayIp} port=${context.vxlanPort} ${c}`,
    "",
    ...(tunnel.source.lanTagged
      ? [`# VLAN ${tenant.vlanId} arrives tagged on ${n.lan}: a VLAN interface takes the tag off before the bridge.`, "/interface vlan", `add name=${q(n.vlan)} vlan-id=${tenant.vlanId} interface=${q(n.lan)} ${c}`, ""]
      : []),
    // STP off: the tunnel is a single point-to-point link, and BPDUs have no business crossing into NSX.
    `# The bridge joins the tenant's LAN and the tunnel into one L2 segment (its MTU follows the smallest port).`,
    "/interface bridge",
    `add name=${q(n.bridge)} protocol-mode=none ${c}`,
    "/interface bridge port",
    `add bridge=${q(n.bridge)} interface=${q(n.lanMember)} ${c}`,
    `add bridge=${q(n.bridge)} interface=${q(n.vxlan)} ${c}`,
    "",
    ...routerosGuard(n),
    ...(mtu.fitsStandardFrames
      ? []
      : [
          "",
          `# TCP MSS clamp to ${mtu.mss}, both directions. The IP firewall sees bridged frames only with use-ip-firewall,`,
          "# a setting for every bridge on this router (it turns off their fast path).",
          "/interface bridge settings",
          "set use-ip-firewall=yes",
          "/ip firewall mangle",
          clampRule("in-interface"),
          clampRule("out-interface"),
        ]),
    ...(context.pair ? ["", ...routerosPair(context, n)] : []),
    "",
  ];
  return lines.join("\n");
}

function renderUndo(context: GatewayContext): string {
  const { tenant, tunnel, mtu } = context;
  const n = routerosNames(context);
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const lines = [
    ...headerLines(context, {
      comment: "#",
      title: "Source-site gateway, MikroTik RouterOS v7 (undo script)",
      apply: [`/import file-name=${file}.rsc`],
      undo: [`upload ${file}-undo.rsc to the router's files`, `/import file-name=${file}-undo.rsc`],
    }),
    "",
    "# Removes what the apply script added, newest first; running it twice is harmless.",
    ...routerosMenus(context)
      .reverse()
      .map((menu) => `${menu} remove [find comment=${q(n.comment)}]`),
    ...(tenant.transport === "ipsec-vpn" ? ["# The IPsec last, by name: the VXLAN it protects is gone.", ...routerosIpsecUndo(planIpsec(context, "source"))] : []),
    ...(mtu.fitsStandardFrames
      ? []
      : ["# use-ip-firewall stays on: other bridges may rely on it. Turn it off with", "# /interface bridge settings set use-ip-firewall=no once nothing does."]),
    ...(mtu.underlayMtu > STANDARD_INNER_MTU ? [`# ${n.underlay} keeps MTU ${mtu.underlayMtu}: other traffic on the underlay may rely on it.`] : []),
    "",
  ];
  return lines.join("\n");
}

export const mikrotikRouterosTarget: GatewayTarget = {
  id: "mikrotik-routeros",
  label: "MikroTik RouterOS v7",
  role: "source-gateway",
  sides: ["source"],
  summary: "On the source-site MikroTik router: import the script to bridge the tenant's VLAN into the VXLAN tunnel.",
  applyOrder: 20,
  // L2TPv3 is not generated for RouterOS; see the file comment.
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate(context) {
    const base = fileBase(context);
    return [
      // With IPsec the script holds the pre-shared key.
      { path: `${base}.rsc`, contents: renderApply(context), mode: context.tenant.transport === "ipsec-vpn" ? 0o600 : 0o644 },
      { path: `${base}-undo.rsc`, contents: renderUndo(context), mode: 0o644 },
    ];
  },
};
