/**
 * The IPsec transport between the two tunnel ends as a strongSwan swanctl.conf snippet, one per
 * end, for /etc/swanctl/conf.d/. IKEv2 with the tunnel's pre-shared key, ESP in transport mode
 * over exactly the encapsulated traffic (VXLAN's UDP port, or L2TPv3's IP protocol 115).
 *
 * Why two child SAs for VXLAN, not one `A[udp/4789] <-> B[udp/4789]`: RFC 7348 §5 has each end
 * pick the VXLAN *source* port from a hash of the inner flow (Linux uses its whole ephemeral
 * range), so only the destination port is 4789. A selector pinned to 4789 on both sides would
 * match almost nothing and the VXLAN would cross the internet in clear text. IKEv2 builds one
 * child SA's policies from the cross product of its selectors, so "any port → peer:4789" and
 * "peer's any port → my 4789" need one child each; the peer's file holds the mirror image, and
 * IKEv2 narrowing pairs each child with its twin.
 */
import { ends, headerLines } from "../header";
import { GeneratorInputError, type EndpointSide, type GatewayContext, type GatewayTarget } from "../types";

/** The IP protocol number of L2TPv3 carried directly over IP (RFC 3931), as the kernel sees it. */
const L2TPV3_IP_PROTOCOL = 115;

/**
 * ESP's cost in transport mode with AES-GCM-256 (RFC 4106): SPI and sequence number 8, IV 8,
 * padding to a 4-byte boundary at most 3, pad length and next header 2, ICV 16. No outer IP
 * header, whatever the address family.
 */
export const ESP_TRANSPORT_GCM_MAX_BYTES = 8 + 8 + 3 + 2 + 16;

const IKE_PROPOSALS = "aes256gcm16-prfsha384-ecp384";
/** ecp384 here is PFS: every rekey of the child SA runs a fresh ECDH exchange. */
const ESP_PROPOSALS = "aes256gcm16-ecp384";

/** bh-<slug>-t<ordinal>: the connection, the secret and the file are all named after it. */
export function swanctlConnectionName(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/** Renders /etc/swanctl/conf.d/bh-<slug>-t<ordinal>.conf for one end. Pure; throws GeneratorInputError. */
export function renderSwanctlConf(context: GatewayContext, side: EndpointSide): string {
  const { tenant, tunnel, mtu, vxlanPort } = context;
  if (tenant.transport !== "ipsec-vpn") {
    throw new GeneratorInputError("tenant.transport", `strongSwan configs are for an IPsec VPN transport, and this tenant uses ${tenant.transport}.`);
  }
  if (!tunnel.psk) {
    throw new GeneratorInputError("tunnel.psk", "An IPsec VPN tunnel needs its pre-shared key: set one on the tunnel, then download again.");
  }
  const { local, peer } = ends(context, side);
  const name = swanctlConnectionName(context);
  const initiates = side === "source";
  const wire = mtu.innerMtu + mtu.encapsulationBytes + ESP_TRANSPORT_GCM_MAX_BYTES;

  const header = headerLines(context, {
    comment: "#",
    title: `IPsec transport, strongSwan swanctl (${side === "source" ? "source" : "AVS"} end)`,
    apply: [
      "apt-get install charon-systemd libstrongswan-standard-plugins   (the standard plugins bring AES-GCM and ECP-384)",
      `install -m 600 -o root -g root ${name}.conf /etc/swanctl/conf.d/`,
      "systemctl enable --now strongswan && swanctl --load-all",
      "Do this on both ends BEFORE bringing up the tunnel device, so no tunnel packet ever leaves unencrypted.",
      `Check: swanctl --list-sas --ike ${name}`,
    ],
    undo: [`swanctl --terminate --ike ${name}`, `rm /etc/swanctl/conf.d/${name}.conf && swanctl --load-all`],
  });

  const children =
    tenant.encapsulation === "vxlan"
      ? [
          child(`${name}-out`, `${local.underlayIp}[udp]`, `${peer.underlayIp}[udp/${vxlanPort}]`, "this end's VXLAN toward the peer's port; any source port", initiates),
          child(`${name}-in`, `${local.underlayIp}[udp/${vxlanPort}]`, `${peer.underlayIp}[udp]`, "the peer's VXLAN toward this end's port; any source port", initiates),
        ]
      : [child(name, `${local.underlayIp}[${L2TPV3_IP_PROTOCOL}]`, `${peer.underlayIp}[${L2TPV3_IP_PROTOCOL}]`, `L2TPv3 over IP (protocol ${L2TPV3_IP_PROTOCOL}), both directions`, initiates)];

  return [
    ...header,
    "#",
    "# Transport mode, not tunnel mode: the tunnel already runs point to point between the two",
    "# underlay addresses below, which are also the IKE peers. Tunnel mode would wrap every packet",
    "# in a second outer IP header naming the same two addresses. Transport mode encrypts the",
    "# encapsulated traffic in place and leaves everything else between the hosts alone (SSH, the",
    "# telemetry agent's probes of the underlay). Both ends must see each other's underlay address",
    "# as written here (no NAT in between): the traffic selectors name those addresses.",
    "#",
    `# MTU: the budget above subtracts ${mtu.transportBytes} B for ESP, the worst case of TUNNEL mode with AES-CBC.`,
    `# This file uses transport mode with AES-GCM, which costs at most ${ESP_TRANSPORT_GCM_MAX_BYTES} B (ESP header 8, IV 8,`,
    `# padding up to 3, trailer 2, ICV 16; no outer IP header), so the budget over-covers by ${mtu.transportBytes - ESP_TRANSPORT_GCM_MAX_BYTES} B:`,
    `# an inner packet of ${mtu.innerMtu} B leaves at most ${mtu.innerMtu} + ${mtu.encapsulationBytes} + ${ESP_TRANSPORT_GCM_MAX_BYTES} = ${wire} B on the wire (underlay MTU ${mtu.underlayMtu}).`,
    "# The spare bytes are kept on purpose: the console computes one budget for every IPsec peer,",
    "# including appliances that only do tunnel mode, and NAT-T would add 8 B of UDP.",
    "#",
    initiates
      ? "# This end INITIATES (start_action = trap|start): it brings the tunnel up as soon as the file is loaded."
      : "# This end RESPONDS (start_action = trap): the source end brings the tunnel up.",
    "# One initiator, so the two ends do not both open an IKE SA at the same moment and end up with",
    "# duplicate SAs; the source end, because its site usually sits behind a firewall that lets it",
    "# open connections but not receive them. Both ends install trap policies: until the SAs are",
    "# up, tunnel packets wait for IKE instead of leaving in clear text, and a responder that has",
    "# traffic first (or after a peer restart) negotiates on its own.",
    "",
    "connections {",
    `  ${name} {`,
    "    version = 2",
    `    local_addrs = ${local.underlayIp}`,
    `    remote_addrs = ${peer.underlayIp}`,
    `    proposals = ${IKE_PROPOSALS}`,
    "    # Fixed addresses and transport mode: MOBIKE has nothing to move.",
    "    mobike = no",
    "    # Liveness: an IKE informational exchange after 30 s without traffic from the peer.",
    "    dpd_delay = 30s",
    "    local {",
    "      auth = psk",
    `      id = ${local.underlayIp}`,
    "    }",
    "    remote {",
    "      auth = psk",
    `      id = ${peer.underlayIp}`,
    "    }",
    "    children {",
    ...children.flat(),
    "    }",
    "  }",
    "}",
    "",
    "# The tunnel's pre-shared key, base64 (swanctl's 0s prefix). This file is mode 600 for it.",
    "secrets {",
    `  ike-${name} {`,
    `    id-local = ${local.underlayIp}`,
    `    id-peer = ${peer.underlayIp}`,
    `    secret = 0s${tunnel.psk}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

function child(name: string, localTs: string, remoteTs: string, what: string, initiates: boolean): string[] {
  return [
    `      # ${what}`,
    `      ${name} {`,
    "        mode = transport",
    `        local_ts = ${localTs}`,
    `        remote_ts = ${remoteTs}`,
    `        esp_proposals = ${ESP_PROPOSALS}`,
    `        start_action = ${initiates ? "trap|start" : "trap"}`,
    // The initiator re-establishes at once when the peer stops answering; the responder falls
    // back to its trap policy and renegotiates on the next packet.
    `        dpd_action = ${initiates ? "restart" : "trap"}`,
    "      }",
  ];
}

export const strongswanTarget: GatewayTarget = {
  id: "strongswan-swanctl",
  label: "IPsec transport: strongSwan (swanctl)",
  role: "transport",
  sides: ["source", "avs"],
  summary: "On both ends, install the swanctl.conf snippet and load it before the tunnel device comes up, so no tunnel packet leaves unencrypted.",
  applyOrder: 5,
  appliesTo: (context) => context.tenant.transport === "ipsec-vpn",
  generate(context) {
    const name = swanctlConnectionName(context);
    return (["source", "avs"] as const).map((side) => ({
      path: `${side}/strongswan/${name}.conf`,
      contents: renderSwanctlConf(context, side),
      // It holds the pre-shared key.
      mode: 0o600,
    }));
  },
};
