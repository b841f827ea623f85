/**
 * The telemetry agent for each tunnel end: the Python program (the same bytes for everyone), its
 * settings for this end as an EnvironmentFile, and a hardened systemd service and timer that run
 * it every 30 s. The agent posts to POST /api/v1/telemetry with this end's bearer token, the
 * contract in lib/validation/telemetry.ts.
 *
 * Every per-end value goes into the .env file only; the program reads it from its environment.
 * The values are allow-listed by context.ts (URL, token, address, numbers, device names), so
 * none can break out of its KEY=value line.
 */
import { firstHostGateway, gatewayHost } from "@/lib/domain/stretch";
import { ends, headerLines, linuxNames } from "../header";
import type { EndpointSide, GatewayContext, GatewayTarget, GeneratedFile } from "../types";
import { AGENT_SCRIPT } from "./telemetry-agent-script";
import { linuxFileStem } from "./linux-iproute2";
import { PAIR_PATHS } from "./linux-pair";

/** Where the apply steps install each file; the unit refers to the first two. */
export const AGENT_PATHS = {
  script: "/usr/local/lib/bridgehead/bridgehead-agent.py",
  env: "/etc/bridgehead/bridgehead-agent.env",
  units: "/etc/systemd/system",
} as const;

/** Matches the console's default sampleIntervalSeconds threshold (lib/telemetry/thresholds.ts). */
export const AGENT_INTERVAL_SECONDS = 30;

const sideName = (side: EndpointSide) => (side === "source" ? "source" : "AVS");

function header(context: GatewayContext, side: EndpointSide, what: string): string[] {
  return headerLines(context, {
    comment: "#",
    title: `Telemetry agent, ${what} (${sideName(side)} end)`,
    apply: [
      "apt-get install python3 iputils-ping iputils-tracepath iproute2",
      `install -D -m 755 bridgehead-agent.py ${AGENT_PATHS.script}`,
      `install -D -m 600 bridgehead-agent.env ${AGENT_PATHS.env}`,
      `install -m 644 bridgehead-agent.service bridgehead-agent.timer ${AGENT_PATHS.units}/`,
      "systemctl daemon-reload && systemctl enable --now bridgehead-agent.timer",
      "Check: journalctl -u bridgehead-agent.service -n 20",
    ],
    undo: [
      "systemctl disable --now bridgehead-agent.timer",
      `rm ${AGENT_PATHS.units}/bridgehead-agent.service ${AGENT_PATHS.units}/bridgehead-agent.timer ${AGENT_PATHS.script} ${AGENT_PATHS.env}`,
      "systemctl daemon-reload && rm -rf /var/lib/private/bridgehead-agent   (the spool)",
    ],
  });
}

/** The agent's settings for one end, as systemd's EnvironmentFile= reads them. */
export function renderAgentEnv(context: GatewayContext, side: EndpointSide): string {
  const { local, peer } = ends(context, side);
  const names = linuxNames(context);
  const { mtu } = context;
  const overhead = mtu.encapsulationBytes + mtu.transportBytes;
  const token = local.agentToken
    ? [`AGENT_TOKEN=${local.agentToken}`]
    : [
        "# NO AGENT TOKEN YET. None was issued for this end when the file was made. In the console,",
        "# open the tenant's page, rotate this end's agent token, and paste it after AGENT_TOKEN=",
        "# below (it is shown only once). The agent refuses to run until it is there.",
        "AGENT_TOKEN=",
      ];
  return [
    ...header(context, side, "settings"),
    "#",
    "# Mode 600: it holds this end's agent token.",
    "",
    `CONSOLE_URL=${context.consoleUrl}`,
    ...token,
    "",
    "# The other end's underlay address: the agent pings it, probes it and traces the path to it.",
    `PEER=${peer.underlayIp}`,
    "# The don't-fragment probe (dfProbe.bytes in the console) is one IP packet of",
    `# PEER_TENANT_PROBE_MTU + TUNNEL_OVERHEAD_BYTES = ${mtu.innerMtu} + ${overhead} = ${mtu.innerMtu + overhead} bytes toward PEER: the underlay packet`,
    mtu.transportBytes > 0
      ? `# a full-size tenant packet becomes once encapsulated (${mtu.encapsulationBytes}) and encrypted (ESP at its worst case, ${mtu.transportBytes}).`
      : `# a full-size tenant packet becomes once encapsulated (${mtu.encapsulationBytes}).`,
    "# The tenant side itself cannot be reached from the underlay, so the outer size is probed.",
    `PEER_TENANT_PROBE_MTU=${mtu.innerMtu}`,
    `TUNNEL_OVERHEAD_BYTES=${overhead}`,
    "# The tunnel device (counters) and the tenant bridge (broadcast/multicast rate, learned MACs).",
    `VXLAN_DEVICE=${names.vxlan}`,
    `BRIDGE_DEVICE=${names.bridge}`,
    ...gatewayProbeLines(context),
    ...(context.pair
      ? [
          "# The tunnel is in an active/standby pair: where this end's pair helper writes its role.",
          `PAIR_STATE=${PAIR_PATHS.stateDir}/${linuxFileStem(context)}-${side}`,
        ]
      : []),
    "",
    "# For a console with a self-signed certificate, trust that certificate (the console's",
    "# data/tls/self-signed-cert.pem), copied somewhere the agent's unprivileged user can read",
    "# (mode 644, not under /root or /home). Verification is never turned off.",
    "#CA_FILE=/etc/bridgehead/console-ca.pem",
    "",
  ].join("\n");
}

/**
 * The address the agent probes on the bridge (who answers for it on this side): the planned
 * cut-over gateway, or before a plan the subnet's first host, the usual gateway. IPv4 only: an
 * ARP probe has no IPv6 counterpart the agent sends.
 */
function gatewayProbeLines(context: GatewayContext): string[] {
  const address = context.stretch ? gatewayHost(context.stretch.gatewayAddress) : gatewayHost(firstHostGateway(context.tenant.subnet));
  if (address.includes(":")) return [];
  return ["# Who answers for the subnet's gateway on this side (the cut-over's pre-check): an ARP probe for it.", `GATEWAY_PROBE=${address}`];
}

export function renderAgentService(context: GatewayContext, side: EndpointSide): string {
  return [
    ...header(context, side, "systemd service"),
    "",
    "[Unit]",
    `Description=Bridgehead telemetry agent (${context.tenant.slug} tunnel ${context.tunnel.ordinal}, ${sideName(side)} end)`,
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "# One measurement and one POST per run; the timer starts the next.",
    "Type=oneshot",
    `EnvironmentFile=${AGENT_PATHS.env}`,
    `ExecStart=/usr/bin/python3 -I ${AGENT_PATHS.script}`,
    "# Well inside the 30 s interval, so a hung run never delays the next sample.",
    "TimeoutStartSec=25s",
    "# No account of its own to manage: a throw-away user per run, and a private state directory",
    "# ($STATE_DIRECTORY) that keeps the spool and the last counter readings between runs.",
    "DynamicUser=yes",
    "StateDirectory=bridgehead-agent",
    "StateDirectoryMode=0700",
    "UMask=0077",
    "# ping needs raw ICMP sockets. NoNewPrivileges makes exec ignore ping's file capability, so",
    "# the one capability it needs is handed down as an ambient capability, and nothing else.",
    "AmbientCapabilities=CAP_NET_RAW",
    "CapabilityBoundingSet=CAP_NET_RAW",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "ProtectProc=invisible",
    "# IPv4/IPv6 for probes and HTTPS, netlink for `bridge fdb`, Unix for name resolution.",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "",
  ].join("\n");
}

export function renderAgentTimer(context: GatewayContext, side: EndpointSide): string {
  return [
    ...header(context, side, "systemd timer"),
    "",
    "[Unit]",
    `Description=Run the Bridgehead telemetry agent every ${AGENT_INTERVAL_SECONDS} s`,
    "",
    "[Timer]",
    "# OnUnitActiveSec alone never fires if the service has not run yet: the first run comes",
    "# 10 s after the timer starts (at boot, or at enable --now), then every interval after each run.",
    "OnActiveSec=10s",
    `OnUnitActiveSec=${AGENT_INTERVAL_SECONDS}s`,
    "# The default accuracy is one minute, which would stretch a 30 s interval to a minute.",
    "AccuracySec=1s",
    "Unit=bridgehead-agent.service",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

export const telemetryAgentTarget: GatewayTarget = {
  id: "telemetry-agent",
  label: "Telemetry agent (Python, systemd timer)",
  role: "agent",
  sides: ["source", "avs"],
  summary: "On each Linux end, install the agent, its settings and its systemd timer last; it reports the tunnel's health to the console every 30 s.",
  applyOrder: 90,
  appliesTo: () => true,
  generate(context) {
    return (["source", "avs"] as const).flatMap((side): GeneratedFile[] => [
      { path: `${side}/agent/bridgehead-agent.py`, contents: AGENT_SCRIPT, mode: 0o755 },
      // It holds the agent token.
      { path: `${side}/agent/bridgehead-agent.env`, contents: renderAgentEnv(context, side), mode: 0o600 },
      { path: `${side}/agent/bridgehead-agent.service`, contents: renderAgentService(context, side), mode: 0o644 },
      { path: `${side}/agent/bridgehead-agent.timer`, contents: renderAgentTimer(context, side), mode: 0o644 },
    ]);
  },
};
