/**
 * The AVS edge bridge: a small Linux VM with one NIC toward the underlay and one on the tenant's
 * NSX-T segment, which bridges the tunnel's VXLAN into that segment. It is delivered as
 * cloud-init user data that writes the same apply/teardown scripts as the source gateway (for
 * the AVS end) and a systemd oneshot unit that runs them, so the bridge comes back after every
 * reboot.
 *
 * In an active/standby pair the user data also installs keepalived, the end's pair helper and its
 * keepalived configuration (linux-pair.ts): the edge bridge stands for its tunnel only while it
 * hears its source gateway through it, and the two edge bridges elect one between them on the
 * segment, so at most one of them forwards.
 *
 * The YAML is written by hand: every scalar outside the block scalars is a constant or an
 * allow-listed name, and the scripts go into literal block scalars (`|`), which carry any line
 * as it is. emitScalar refuses anything else, so a later change cannot smuggle YAML in.
 */
import { headerLines } from "../header";
import type { GatewayContext, GatewayTarget } from "../types";
import { linuxFileStem, renderLinuxVxlanScripts } from "./linux-iproute2";
import { KEEPALIVED_BASE, PAIR_PATHS } from "./linux-pair";

const SCRIPT_DIR = "/usr/local/sbin";
const UNIT_DIR = "/etc/systemd/system";
/** Characters a plain YAML scalar here may hold: paths, unit names, modes. */
const PLAIN_SCALAR = /^[A-Za-z0-9_./:@-]+$/;

function emitScalar(value: string): string {
  if (!PLAIN_SCALAR.test(value)) throw new Error(`Refusing to write ${JSON.stringify(value)} as a plain YAML scalar.`);
  // Quoted anyway: "0755" must stay a string, and quoting costs nothing for the others.
  return `"${value}"`;
}

/** A literal block scalar under a key indented by `indent` spaces; `text` ends with one newline. */
function blockScalar(text: string, indent: number): string[] {
  const pad = " ".repeat(indent);
  const lines = text.replace(/\n$/, "").split("\n");
  return lines.map((line) => (line === "" ? "" : `${pad}${line}`));
}

/** What the NSX-T segment needs before the bridge can work, in one sentence per line. */
export function segmentRequirements(context: GatewayContext): string[] {
  const segment = context.tenant.segmentName;
  return [
    `In NSX-T, attach a MAC Discovery segment profile with MAC Learning enabled (and MAC Change allowed) to segment ${segment},`,
    "so the bridge VM's vNIC may send frames from the source site's MAC addresses (the NSX-T form of allowing forged transmits)",
    "and the segment delivers frames for those MACs to it. Without it NSX-T drops every bridged frame.",
  ];
}

/** The AVS end's apply/teardown pair exactly as the user data writes it to disk. */
export function renderEdgeBridgeScripts(context: GatewayContext) {
  const stem = linuxFileStem(context);
  const unit = `${stem}-edge-bridge.service`;
  const applyPath = `${SCRIPT_DIR}/${stem}-apply.sh`;
  const teardownPath = `${SCRIPT_DIR}/${stem}-teardown.sh`;
  const scripts = renderLinuxVxlanScripts(context, "avs", {
    title: "AVS edge bridge, Linux iproute2",
    applyCommand: `sudo ${applyPath}   (systemd runs it at boot: ${unit})`,
    teardownCommand: `sudo systemctl stop ${unit}   (runs ${teardownPath})`,
    beforeApply: segmentRequirements(context),
  });
  return { stem, unit, applyPath, teardownPath, scripts };
}

export const cloudInitEdgeBridgeTarget: GatewayTarget = {
  id: "cloud-init-edge-bridge",
  label: "AVS edge bridge: cloud-init user data",
  role: "edge-bridge",
  sides: ["avs"],
  summary: "Create the edge bridge VM on the tenant's NSX-T segment with this file as its user data; it bridges the tunnel into the segment at every boot.",
  applyOrder: 30,
  appliesTo: () => true,
  generate(context) {
    const { stem, unit, applyPath, teardownPath, scripts } = renderEdgeBridgeScripts(context);
    const segment = segmentRequirements(context);
    const pair = scripts.pair;

    const unitFile = [
      "[Unit]",
      `Description=Bridgehead edge bridge for ${context.tenant.slug} tunnel ${context.tunnel.ordinal} (VNI ${context.tenant.vni} into segment ${context.tenant.segmentName})`,
      "Wants=network-online.target",
      "After=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      "RemainAfterExit=yes",
      `ExecStart=${applyPath}`,
      `ExecStop=${teardownPath}`,
      "",
      "[Install]",
      "WantedBy=multi-user.target",
      "",
    ].join("\n");

    const file = (path: string, permissions: string, contents: string) => [
      `  - path: ${emitScalar(path)}`,
      `    owner: ${emitScalar("root:root")}`,
      `    permissions: ${emitScalar(permissions)}`,
      "    content: |",
      ...blockScalar(contents, 6),
    ];

    const lines = [
      // cloud-init reads the first line to know the format: nothing may come before it.
      "#cloud-config",
      ...headerLines(context, {
        comment: "#",
        title: "AVS edge bridge, cloud-init user data",
        apply: [
          ...segment,
          `Create the edge bridge VM with ${scripts.devices.underlay} toward the underlay (${context.tunnel.avs.underlayIp}) and ${scripts.devices.lan} on segment ${context.tenant.segmentName},`,
          "and give it this file as its user data.",
          `Check it with: systemctl status ${unit}`,
        ],
        undo: [`sudo systemctl disable --now ${unit}   (runs the teardown script)`],
      }),
      "#",
      `# NSX-T segment ${context.tenant.segmentName}: this VM forwards frames whose source MACs are not its own.`,
      "# The segment must have a MAC Discovery profile with MAC Learning enabled and MAC Change allowed",
      "# (forged transmits), or NSX-T drops every frame the bridge forwards.",
      "",
      "write_files:",
      ...file(applyPath, "0755", scripts.apply),
      ...file(teardownPath, "0755", scripts.teardown),
      ...file(`${UNIT_DIR}/${unit}`, "0644", unitFile),
      ...(pair
        ? [
            ...file(pair.helperPath, "0755", pair.helper),
            ...file("/etc/keepalived/keepalived.conf", "0644", KEEPALIVED_BASE),
            ...file(`${PAIR_PATHS.keepalivedDir}/${stem}.conf`, "0644", pair.keepalived),
            // keepalived starts once the bridge it watches exists (dynamic_interfaces copes anyway).
            ...file(`${UNIT_DIR}/keepalived.service.d/bridgehead.conf`, "0644", ["[Unit]", `After=${unit}`, `Wants=${unit}`, ""].join("\n")),
          ]
        : []),
      "",
      pair
        ? "# nftables for the tunnel guard (storm control); keepalived and arp-scan for the active/standby pair."
        : "# nftables for the tunnel guard (storm control, and the MSS clamp when the tunnel is short).",
      "package_update: true",
      "packages:",
      ...["nftables", ...(pair ? ["keepalived", "arp-scan"] : [])].map((name) => `  - ${emitScalar(name)}`),
      "",
      "runcmd:",
      `  - [${["systemctl", "daemon-reload"].map(emitScalar).join(", ")}]`,
      `  - [${["systemctl", "enable", "--now", unit].map(emitScalar).join(", ")}]`,
      ...(pair ? [`  - [${["systemctl", "enable", "keepalived"].map(emitScalar).join(", ")}]`, `  - [${["systemctl", "restart", "keepalived"].map(emitScalar).join(", ")}]`] : []),
      "",
    ];
    return [{ path: `avs/cloud-init/${stem}-edge-bridge.yaml`, contents: lines.join("\n"), mode: 0o644 }];
  },
};
