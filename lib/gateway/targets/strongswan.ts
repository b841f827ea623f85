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
import { headerLines } from "../header";
import { describeIpsecBehaviour, ipsecConnectionName, planIpsec, PSK_READ_AS_ENCODING, type IpsecPlan, type SelectorEnd, type TrafficSelector } from "../ipsec";
import type { AeadCipher, DhGroup } from "../ipsec-suites";
import type { EndpointSide, GatewayContext, GatewayTarget } from "../types";

export { ESP_TRANSPORT_GCM_MAX_BYTES } from "../ipsec";

/** strongSwan's keywords for the suites' transforms. */
const SWAN_GROUP: Record<DhGroup, string> = { 19: "ecp256", 20: "ecp384" };
const swanCipher = (cipher: AeadCipher) => `aes${cipher.keyBits}gcm16`;

export function swanctlIkeProposal(plan: IpsecPlan): string {
  const { ike } = plan.suite;
  return `${swanCipher(ike.cipher)}-prf${ike.prf}-${SWAN_GROUP[ike.dhGroup]}`;
}

/** The PFS group here makes every rekey of the child SA run a fresh ECDH exchange. */
export function swanctlEspProposal(plan: IpsecPlan): string {
  const { esp } = plan.suite;
  return `${swanCipher(esp.cipher)}-${SWAN_GROUP[esp.pfsGroup]}`;
}

/**
 * The key's text as swanctl reads it back byte for byte. swanctl --load-creds takes a value that
 * starts with "0x" as hex and "0s" as base64, in either case and quoted or not, so a key text
 * that happens to start so (one generated key in 1,024) would become other bytes than the text
 * the vendors use. That one is written as the hex of its text: the same bytes, unambiguous.
 */
export function swanctlSecret(psk: string): string {
  if (!PSK_READ_AS_ENCODING.test(psk)) return `"${psk}"`;
  const hex = [...new TextEncoder().encode(psk)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `0x${hex}`;
}

/** bh-<slug>-t<ordinal>: the connection, the secret and the file are all named after it. */
export const swanctlConnectionName = ipsecConnectionName;

/** Renders /etc/swanctl/conf.d/bh-<slug>-t<ordinal>.conf for one end. Pure; throws GeneratorInputError. */
export function renderSwanctlConf(context: GatewayContext, side: EndpointSide): string {
  const plan = planIpsec(context, side);
  const { mtu, name, initiator: initiates, timers } = plan;
  const wire = mtu.innerMtu + mtu.encapsulationBytes + mtu.espMaxBytes;

  const header = headerLines(context, {
    comment: "#",
    title: `IPsec transport, strongSwan swanctl (${side === "source" ? "source" : "AVS"} end)`,
    apply: [
      "apt-get install charon-systemd libstrongswan-standard-plugins   (the standard plugins bring AES-GCM and the ECP groups)",
      `install -m 600 -o root -g root ${name}.conf /etc/swanctl/conf.d/`,
      "systemctl enable --now strongswan && swanctl --load-all",
      "Do this on both ends BEFORE bringing up the tunnel device, so no tunnel packet ever leaves unencrypted.",
      `Check: swanctl --list-sas --ike ${name}`,
    ],
    undo: [`swanctl --terminate --ike ${name}`, `rm /etc/swanctl/conf.d/${name}.conf && swanctl --load-all`],
    notes: describeIpsecBehaviour(plan, {
      dpdAction: initiates
        ? "closes the SAs and negotiates them again at once (dpd_action = restart)"
        : "closes the SAs and re-arms its trap policies: the next tunnel packet negotiates again (dpd_action = trap)",
    }),
  });

  const children = plan.selectors.map((selector) => child(plan, selector));

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
    `# MTU: the budget above subtracts ${mtu.budgetEspBytes} B for ESP, the worst case of TUNNEL mode with AES-CBC.`,
    `# This file uses transport mode with AES-GCM, which costs at most ${mtu.espMaxBytes} B (ESP header 8, IV 8,`,
    `# padding up to 3, trailer 2, ICV 16; no outer IP header), so the budget over-covers by ${mtu.budgetEspBytes - mtu.espMaxBytes} B:`,
    `# an inner packet of ${mtu.innerMtu} B leaves at most ${mtu.innerMtu} + ${mtu.encapsulationBytes} + ${mtu.espMaxBytes} = ${wire} B on the wire (underlay MTU ${mtu.underlayMtu}).`,
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
    `    local_addrs = ${plan.local.address}`,
    `    remote_addrs = ${plan.remote.address}`,
    `    proposals = ${swanctlIkeProposal(plan)}`,
    "    # Rekey, not re-authenticate: make-before-break, and the same on every platform's peer.",
    `    rekey_time = ${timers.ikeLifetimeSeconds}s`,
    "    reauth_time = 0",
    "    # Fixed addresses and transport mode: MOBIKE has nothing to move.",
    "    mobike = no",
    `    # Liveness: an IKE informational exchange after ${timers.dpdDelaySeconds} s without traffic from the peer.`,
    `    dpd_delay = ${timers.dpdDelaySeconds}s`,
    "    local {",
    "      auth = psk",
    `      id = ${plan.local.id}`,
    "    }",
    "    remote {",
    "      auth = psk",
    `      id = ${plan.remote.id}`,
    "    }",
    "    children {",
    ...children.flat(),
    "    }",
    "  }",
    "}",
    "",
    "# The tunnel's pre-shared key. Its base64 text is the key itself (not the bytes it encodes), because",
    "# VyOS, IOS XE and RouterOS take a key only as text. This file is mode 600 for it.",
    "secrets {",
    `  ike-${name} {`,
    `    id-local = ${plan.local.id}`,
    `    id-peer = ${plan.remote.id}`,
    `    secret = ${swanctlSecret(plan.psk)}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

function selectorText(end: SelectorEnd): string {
  return `${end.address}[${end.protocol}${end.port === null ? "" : `/${end.port}`}]`;
}

function child(plan: IpsecPlan, selector: TrafficSelector): string[] {
  return [
    `      # ${selector.what}`,
    `      ${selector.name} {`,
    `        mode = ${plan.mode}`,
    `        local_ts = ${selectorText(selector.local)}`,
    `        remote_ts = ${selectorText(selector.remote)}`,
    `        esp_proposals = ${swanctlEspProposal(plan)}`,
    `        rekey_time = ${plan.timers.childLifetimeSeconds}s`,
    `        start_action = ${plan.initiator ? "trap|start" : "trap"}`,
    // The initiator re-establishes at once when the peer stops answering; the responder falls
    // back to its trap policy and renegotiates on the next packet.
    `        dpd_action = ${plan.initiator ? "restart" : "trap"}`,
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
