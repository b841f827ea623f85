/**
 * Source-site gateway as systemd-networkd units: a .netdev/.network pair each for the VXLAN
 * device, the tenant's bridge and (on a trunk) the VLAN sub-interface, plus the LAN NIC's
 * attachment.
 *
 * A bridge takes the MTU of its smallest port whatever it was created with, so the bridge, the
 * VXLAN device and the LAN port all get the inner MTU (as in the iproute2 scripts).
 *
 * The layout leaves the operator's own NIC configuration alone:
 * - The VXLAN device is `Independent=yes` (as netplan renders it), so it needs no `VXLAN=` line
 *   in the underlay NIC's .network: that file is never touched.
 * - The LAN NIC's attachment (`VLAN=` on a trunk, `Bridge=` on an access port) is a drop-in.
 *   networkd applies only the first .network file that matches a link, so a second file for a
 *   NIC that already has one would be ignored (or would displace it); a drop-in in that file's
 *   `.network.d/` adds to it instead. For a LAN NIC networkd does not manage yet there is a
 *   minimal 60-bh-lan-<nic>.network to hold the drop-ins. It is the same for every tenant, so
 *   several tenants' VLANs on one trunk each add their own drop-in and `VLAN=` lines accumulate.
 */
import { headerLines } from "../header";
import type { GatewayContext, GatewayTarget, GeneratedFile } from "../types";
import {
  guardApplySteps,
  guardUndoSteps,
  guardNote,
  linuxGuardFiles,
  linuxSourcePairFiles,
  linuxSourceStem,
  planLinuxSource,
  type LinuxSourcePlan,
} from "./linux-source-gateway";

const DIR = "source/systemd-networkd";
const FORMAT = "The systemd-networkd units";

/** Every file name of one tunnel end; the drop-in's folder is named for the LAN NIC's base .network. */
export function networkdFileNames(context: GatewayContext, plan: LinuxSourcePlan) {
  const prefix = `60-bh-${context.tenant.slug}`;
  const lanNetwork = `60-bh-lan-${plan.lan}.network`;
  return {
    vxlan: `${prefix}-${plan.vxlan}`,
    bridge: `${prefix}-${plan.bridge}`,
    vlan: plan.tagged ? `${prefix}-${plan.lanPort}` : null,
    lanNetwork,
    dropIn: `${lanNetwork}.d/60-${linuxSourceStem(context)}.conf`,
  };
}

/** A link of ours carries no addresses (it is pure L2) and must not hold up network-online.target. */
const L2_ONLY = ["LinkLocalAddressing=no", "IPv6AcceptRA=no", "ConfigureWithoutCarrier=yes"];

export function renderNetworkdUnits(context: GatewayContext): GeneratedFile[] {
  const plan = planLinuxSource(context, FORMAT);
  const names = networkdFileNames(context, plan);
  const ours = [names.vxlan, names.bridge, ...(names.vlan ? [names.vlan] : [])];
  const devices = [plan.vxlan, plan.bridge, ...(plan.tagged ? [plan.lanPort] : [])];
  const dropInFile = names.dropIn.split("/")[1];

  const baseHeader = (what: string) =>
    headerLines(context, {
      comment: "#",
      title: `Source-site gateway, systemd-networkd: ${what}`,
      apply: [
        "As root, in this folder.",
        ...guardApplySteps(context),
        "Then ask networkd which file configures the LAN NIC:",
        `  networkctl status ${plan.lan}     (the "Network File:" line)`,
        `a) "n/a" (networkd does not manage ${plan.lan} yet): cp -r 60-bh-* /etc/systemd/network/`,
        `b) a file of yours, e.g. /etc/systemd/network/10-${plan.lan}.network: keep it, and attach to it with the drop-in:`,
        `     cp ${ours.map((stem) => `${stem}.*`).join(" ")} /etc/systemd/network/`,
        `     mkdir -p /etc/systemd/network/10-${plan.lan}.network.d`,
        `     cp ${names.dropIn} /etc/systemd/network/10-${plan.lan}.network.d/`,
        `   (only if that file matches ${plan.lan} alone: a wildcard Name= would attach every NIC it matches)`,
        "networkctl reload",
        `networkctl status ${devices.join(" ")}`,
        ...(context.pair ? ["systemctl restart keepalived   (it brings the tunnel port up on the active gateway only)"] : []),
        `After a change to a downloaded file: ip link del ${plan.vxlan} first (networkd does not alter an existing VXLAN device).`,
      ],
      undo: [
        `cd /etc/systemd/network && rm ${ours.map((stem) => `${stem}.netdev ${stem}.network`).join(" ")}`,
        `rm the drop-in ${dropInFile} from the .network.d folder you put it in;`,
        `  in case a), once no other tenant's drop-in is left: rm -r 60-bh-lan-${plan.lan}.network 60-bh-lan-${plan.lan}.network.d`,
        "networkctl reload",
        `${devices.map((device) => `ip link del ${device}`).join("; ")}   (networkd leaves devices whose files are gone)`,
        ...guardUndoSteps(context),
      ],
    });
  const header = (what: string) => [
    ...baseHeader(what),
    ...guardNote(context, "systemd-networkd"),
    `# Underlay:    ${plan.underlay} is not configured here: the outer packets to ${plan.remote} leave by its route.`,
    "",
  ];
  const file = (name: string, what: string, body: string[]): GeneratedFile => ({
    path: `${DIR}/${name}`,
    contents: [...header(what), ...body, ""].join("\n"),
    mode: 0o644,
  });

  const files = [
    file(`${names.vxlan}.netdev`, `VXLAN device ${plan.vxlan} (.netdev)`, [
      "[NetDev]",
      `Name=${plan.vxlan}`,
      "Kind=vxlan",
      `MTUBytes=${plan.innerMtu}`,
      "",
      "[VXLAN]",
      `VNI=${plan.vni}`,
      `Local=${plan.local}`,
      `Remote=${plan.remote}`,
      `DestinationPort=${plan.port}`,
      "# Not tied to the underlay NIC, so that NIC's own .network needs no VXLAN= line.",
      "Independent=yes",
    ]),
    file(`${names.vxlan}.network`, `VXLAN device ${plan.vxlan} into ${plan.bridge} (.network)`, [
      "[Match]",
      `Name=${plan.vxlan}`,
      "",
      "[Link]",
      "# Also here, not only in the .netdev: networkctl reload applies a .network to a device that exists.",
      `MTUBytes=${plan.innerMtu}`,
      "RequiredForOnline=no",
      ...(context.pair ? ["# The pair's tunnel port: keepalived brings it up on the active gateway only, networkd never does.", "ActivationPolicy=manual"] : []),
      "",
      "[Network]",
      `Bridge=${plan.bridge}`,
      ...L2_ONLY,
    ]),
    file(`${names.bridge}.netdev`, `tenant bridge ${plan.bridge} (.netdev)`, [
      "[NetDev]",
      `Name=${plan.bridge}`,
      "Kind=bridge",
      `MTUBytes=${plan.innerMtu}`,
      "",
      "[Bridge]",
      "STP=no",
    ]),
    file(`${names.bridge}.network`, `tenant bridge ${plan.bridge} (.network)`, [
      "[Match]",
      `Name=${plan.bridge}`,
      "",
      "[Link]",
      `MTUBytes=${plan.innerMtu}`,
      "RequiredForOnline=no",
      "",
      "[Network]",
      "# The gateway only bridges the tenant's VLAN: no address of its own on it.",
      ...L2_ONLY,
    ]),
  ];
  if (names.vlan) {
    files.push(
      file(`${names.vlan}.netdev`, `802.1Q sub-interface ${plan.lanPort} on the trunk ${plan.lan} (.netdev)`, [
        "[NetDev]",
        `Name=${plan.lanPort}`,
        "Kind=vlan",
        "",
        "[VLAN]",
        `Id=${plan.vlanId}`,
      ]),
      file(`${names.vlan}.network`, `802.1Q sub-interface ${plan.lanPort} into ${plan.bridge} (.network)`, [
        "[Match]",
        `Name=${plan.lanPort}`,
        "",
        "[Link]",
        `# The trunk ${plan.lan} keeps its own MTU, which must be at least this one.`,
        `MTUBytes=${plan.innerMtu}`,
        "RequiredForOnline=no",
        "",
        "[Network]",
        `Bridge=${plan.bridge}`,
        ...L2_ONLY,
      ]),
    );
  }
  files.push(
    file(names.lanNetwork, `LAN NIC ${plan.lan}, for a NIC networkd does not manage yet (shared by every tenant on ${plan.lan})`, [
      "[Match]",
      `Name=${plan.lan}`,
      "",
      "[Link]",
      "RequiredForOnline=no",
      "",
      "[Network]",
      "# Each tenant's attachment is a drop-in in the .network.d folder next to this file.",
      ...L2_ONLY,
    ]),
    file(
      names.dropIn,
      `drop-in attaching the LAN NIC ${plan.lan} to this tenant`,
      plan.tagged
        ? ["[Network]", `VLAN=${plan.lanPort}`]
        : ["# The NIC itself is a port of the bridge, so it takes the bridge's MTU.", "[Link]", `MTUBytes=${plan.innerMtu}`, "", "[Network]", `Bridge=${plan.bridge}`],
    ),
    ...linuxGuardFiles(context, DIR, plan, baseHeader),
    ...linuxSourcePairFiles(context, DIR, plan, baseHeader),
  );
  return files;
}

export const systemdNetworkdTarget: GatewayTarget = {
  id: "systemd-networkd",
  label: "Source gateway: systemd-networkd units",
  role: "source-gateway",
  sides: ["source"],
  summary: "On a source-site Linux gateway run by systemd-networkd, copy the units to /etc/systemd/network (the LAN NIC by drop-in) and run networkctl reload.",
  applyOrder: 20,
  appliesTo: (context) => context.tenant.encapsulation === "vxlan",
  generate: renderNetworkdUnits,
};
