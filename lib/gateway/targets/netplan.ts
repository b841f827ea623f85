/**
 * Source-site gateway as one netplan file: a VXLAN tunnel, the tenant's bridge and, on a trunk,
 * the VLAN sub-interface. netplan merges every file in /etc/netplan, so this one adds to the
 * operator's configuration instead of replacing it: the LAN NIC is declared here only so the
 * file may name it (on a trunk `{}` changes nothing of it; on an access port it becomes a bridge
 * port and takes the inner MTU). The underlay NIC is not named at all: the tunnel has no `link`,
 * which netplan renders as an independent VXLAN device routed by its addresses.
 *
 * The bridge has no `parameters:`: netplan try refuses to apply a bridge with custom parameters
 * (it cannot revert them), and networkd's defaults (no STP) are what a stretched segment wants.
 * The file is 0600, as netplan asks of every file in /etc/netplan.
 */
import { headerLines } from "../header";
import type { GatewayContext, GatewayTarget, GeneratedFile } from "../types";
import { guardApplySteps, guardNote, guardUndoSteps, linuxGuardFiles, linuxSourcePairFiles, linuxSourceStem, planLinuxSource } from "./linux-source-gateway";

const DIR = "source/netplan";

/** Under which key the operator's netplan declares the LAN NIC; bonds are common on a trunk. */
function lanKind(lan: string): "bonds" | "ethernets" {
  return /^bond\d+$/.test(lan) ? "bonds" : "ethernets";
}

export function renderNetplan(context: GatewayContext): GeneratedFile[] {
  const plan = planLinuxSource(context, "The netplan files");
  const fileName = `60-${linuxSourceStem(context)}.yaml`;
  const devices = [plan.vxlan, plan.bridge, ...(plan.tagged ? [plan.lanPort] : [])];
  // Link-local addresses and router advertisements off: these links only carry the tenant's frames.
  const l2Only = ["      link-local: []", "      accept-ra: false"];
  const header = (what: string) =>
    headerLines(context, {
      comment: "#",
      title: `Source-site gateway, netplan (${what})`,
      apply: [
        ...guardApplySteps(context),
        `install -m 600 ${fileName} /etc/netplan/`,
        "netplan generate   (checks every file in /etc/netplan; fix what it reports first)",
        "netplan try        (applies, and rolls back after 120 s unless you press Enter)",
        "netplan apply      (if netplan try is not available or you are sure)",
        `ip -d link show ${plan.vxlan}; bridge link show   (${plan.lanPort} and ${plan.vxlan} are ports of ${plan.bridge})`,
        ...(context.pair ? ["systemctl restart keepalived   (it brings the tunnel port up on the active gateway only)"] : []),
      ],
      undo: [
        `rm /etc/netplan/${fileName}`,
        "netplan apply",
        `${devices.map((device) => `ip link del ${device}`).join("; ")}   (netplan apply leaves virtual devices it no longer describes)`,
        ...guardUndoSteps(context),
      ],
    });
  const lines = [
    ...header("VXLAN tunnel, bridge and LAN port"),
    ...guardNote(context, "netplan"),
    `# Underlay:    ${plan.underlay} is not configured here: the outer packets to ${plan.remote} leave by its route.`,
    `# LAN NIC:     if your netplan gives ${plan.lan} another id (match: with set-name:), or declares it as a VLAN,`,
    `#              use that id and section below instead of ${lanKind(plan.lan)}: ${plan.lan}.`,
    "",
    "network:",
    "  version: 2",
    `  ${lanKind(plan.lan)}:`,
    ...(plan.tagged
      ? [`    # Declared so this file may name the trunk; netplan merges it with ${plan.lan}'s own entry, unchanged.`, `    ${plan.lan}: {}`]
      : [`    # The NIC itself is a port of the bridge, so it takes the bridge's MTU.`, `    ${plan.lan}:`, `      mtu: ${plan.innerMtu}`]),
    "  tunnels:",
    `    ${plan.vxlan}:`,
    "      mode: vxlan",
    `      id: ${plan.vni}`,
    `      local: "${plan.local}"`,
    `      remote: "${plan.remote}"`,
    `      port: ${plan.port}`,
    `      mtu: ${plan.innerMtu}`,
    ...l2Only,
    ...(context.pair ? ["      # The pair's tunnel port: keepalived brings it up on the active gateway only, networkd never does.", "      activation-mode: manual"] : []),
    ...(plan.tagged
      ? [
          "  vlans:",
          `    ${plan.lanPort}:`,
          `      id: ${plan.vlanId}`,
          `      link: ${plan.lan}`,
          `      # The trunk ${plan.lan} keeps its own MTU, which must be at least this one.`,
          `      mtu: ${plan.innerMtu}`,
          ...l2Only,
        ]
      : []),
    "  bridges:",
    `    ${plan.bridge}:`,
    `      interfaces: [${plan.vxlan}, ${plan.lanPort}]`,
    `      mtu: ${plan.innerMtu}`,
    ...l2Only,
    "",
  ];
  return [
    { path: `${DIR}/${fileName}`, contents: lines.join("\n"), mode: 0o600 },
    ...linuxGuardFiles(context, DIR, plan, header),
    ...linuxSourcePairFiles(context, DIR, plan, header),
  ];
}

export const netplanTarget: GatewayTarget = {
  id: "netplan",
  label: "Source gateway: netplan",
  role: "source-gateway",
  sides: ["source"],
  summary: "On a source-site Linux gateway configured by netplan (Ubuntu), install the file in /etc/netplan and run netplan try.",
  applyOrder: 20,
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate: renderNetplan,
};
