/**
 * The cut-over's source half on the routers the console writes configs for (VyOS, IOS XE,
 * RouterOS): the interface that is the subnet's default gateway today lets the address go before
 * the cut-over, and takes it back after a rollback. Each pair of files is written from the
 * vendor's documented syntax and pinned by golden files; see cutover-linux.ts for the order.
 */
import ipaddr from "ipaddr.js";
import { gatewayHost } from "@/lib/domain/stretch";
import { headerLines } from "../header";
import { GeneratorInputError, type GatewayContext, type GatewayTarget } from "../types";
import { cutoverStem, hasCutoverFiles, plannedStretch } from "./cutover-linux";

type Kind = "cut-over" | "restore";

function vendorHeader(context: GatewayContext, comment: string, vendor: string, kind: Kind, apply: string[]): string[] {
  const gateway = plannedStretch(context).gatewayAddress;
  return headerLines(context, {
    comment,
    title: kind === "cut-over" ? `Source site's router, ${vendor}: release the gateway ${gateway} for the cut-over` : `Source site's router, ${vendor}: take the gateway ${gateway} back after a rollback`,
    apply: kind === "cut-over" ? ["Just before the cut-over, on the router that holds the gateway today:", ...apply, "Then check the gateway pre-check in Bridgehead and cut over."] : ["After Bridgehead shows the rollback done:", ...apply],
    undo: [kind === "cut-over" ? "the restore file, after a rollback in Bridgehead" : "the cut-over file"],
  });
}

// --- VyOS ----------------------------------------------------------------------------------------

/** The VyOS configuration path of an interface name: eth1 → "ethernet eth1", eth1.110 → "ethernet eth1 vif 110", br110 → "bridge br110". */
export function vyosInterfacePath(name: string): string {
  const match = /^(eth\d+|lan\d+|en[a-z0-9]+|bond\d+|br\d+)(?:\.(\d{1,4}))?$/.exec(name);
  if (!match) {
    throw new GeneratorInputError("stretch.sourceInterface", `VyOS cannot place "${name}": name the interface holding the gateway as eth1, eth1.110, bond0.110 or br110.`);
  }
  const [, base, vif] = match;
  const type = base!.startsWith("bond") ? "bonding" : base!.startsWith("br") ? "bridge" : "ethernet";
  if (vif && (Number(vif) < 1 || Number(vif) > 4094)) throw new GeneratorInputError("stretch.sourceInterface", `VLAN ${vif} in "${name}" is outside 1–4094.`);
  return `${type} ${base}${vif ? ` vif ${vif}` : ""}`;
}

function vyosFile(context: GatewayContext, kind: Kind): string {
  const iface = plannedStretch(context).sourceInterface;
  if (!iface) throw new GeneratorInputError("stretch.sourceInterface", "VyOS needs the interface that holds the gateway today: name it in the cut-over plan.");
  const path = vyosInterfacePath(iface);
  const verb = kind === "cut-over" ? "delete" : "set";
  return [
    ...vendorHeader(context, "#", "VyOS 1.4", kind, ["configure", "paste this file's commands; it ends with commit and save", "exit"]),
    "",
    `${verb} interfaces ${path} address '${plannedStretch(context).gatewayAddress}'`,
    "commit",
    "save",
    "",
  ].join("\n");
}

// --- Cisco IOS XE --------------------------------------------------------------------------------

/** SVIs, routed ports and subinterfaces, as IOS XE names them. */
const IOS_GATEWAY_INTERFACE = /^(?:Vlan\d{1,4}|BDI\d{1,5}|(?:GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE|Port-channel)\d+(?:\/\d+){0,3}(?:\.\d{1,4})?)$/;

function iosxeFile(context: GatewayContext, kind: Kind): string {
  const stretch = plannedStretch(context);
  // The SVI of the tenant's VLAN is where a gateway usually lives on IOS XE.
  const iface = stretch.sourceInterface ?? `Vlan${context.tenant.vlanId}`;
  if (!IOS_GATEWAY_INTERFACE.test(iface)) {
    throw new GeneratorInputError("stretch.sourceInterface", `IOS XE cannot use "${iface}": name the gateway's interface as IOS XE does (Vlan110, BDI110, GigabitEthernet0/0/1.110 …).`);
  }
  const host = gatewayHost(stretch.gatewayAddress);
  const prefix = Number(stretch.gatewayAddress.split("/")[1]);
  const address = host.includes(":") ? `ipv6 address ${stretch.gatewayAddress}` : `ip address ${host} ${ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString()}`;
  return [
    ...vendorHeader(context, "!", "Cisco IOS XE", kind, ["configure terminal, paste the commands below, then: end; write memory"]),
    "!",
    kind === "cut-over" ? `! Secondary addresses on ${iface} must go first if it has any; HSRP/VRRP groups for the gateway too.` : `! Restores the primary address; put back any HSRP/VRRP group you removed.`,
    `interface ${iface}`,
    ` ${kind === "cut-over" ? "no " : ""}${address}`,
    "end",
    "",
  ].join("\n");
}

// --- MikroTik RouterOS ---------------------------------------------------------------------------

function routerosFile(context: GatewayContext, kind: Kind): string {
  const stretch = plannedStretch(context);
  const menu = stretch.gatewayAddress.includes(":") ? "/ipv6 address" : "/ip address";
  // Disabled, not removed: the restore enables the very same entry again.
  const where = `address="${stretch.gatewayAddress}"${stretch.sourceInterface ? ` and interface="${stretch.sourceInterface}"` : ""}`;
  return [
    ...vendorHeader(context, "#", "MikroTik RouterOS v7", kind, [`/import file-name=${cutoverStem(context)}-${kind === "cut-over" ? "cutover" : "restore"}.rsc`]),
    "",
    `:if ([:len [${menu} find where ${where}]] = 0) do={ :error "No ${menu} entry ${stretch.gatewayAddress}${stretch.sourceInterface ? ` on ${stretch.sourceInterface}` : ""}: run me on the router that holds the gateway." }`,
    `${menu} ${kind === "cut-over" ? "disable" : "enable"} [find where ${where}]`,
    "",
  ].join("\n");
}

function vendorTarget(id: string, label: string, dir: string, extension: string, render: (context: GatewayContext, kind: Kind) => string): GatewayTarget {
  return {
    id,
    label,
    role: "cut-over",
    sides: ["source"],
    summary: `On a ${label.split(": ")[1]} router that holds the subnet's gateway today: release the address before the cut-over, take it back after a rollback.`,
    applyOrder: 100,
    appliesTo: hasCutoverFiles,
    generate(context) {
      const stem = cutoverStem(context);
      return [
        { path: `cutover/${dir}/${stem}-cutover.${extension}`, contents: render(context, "cut-over"), mode: 0o644 },
        { path: `cutover/${dir}/${stem}-restore.${extension}`, contents: render(context, "restore"), mode: 0o644 },
      ];
    },
  };
}

export const cutoverVyosTarget = vendorTarget("cutover-vyos", "Cut-over, source site's router: VyOS", "vyos", "vyos", vyosFile);
export const cutoverIosxeTarget = vendorTarget("cutover-cisco-iosxe", "Cut-over, source site's router: Cisco IOS XE", "cisco-iosxe", "ios", iosxeFile);
export const cutoverRouterosTarget = vendorTarget("cutover-mikrotik-routeros", "Cut-over, source site's router: MikroTik RouterOS", "mikrotik-routeros", "rsc", routerosFile);
