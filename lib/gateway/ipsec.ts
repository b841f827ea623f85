/**
 * The one description of a tunnel's IPsec: every platform's stanzas (strongSwan, VyOS, IOS XE,
 * RouterOS) are rendered from the IpsecPlan this file builds, so a proposal, an identity, a
 * lifetime or a selector cannot differ between the two ends of a tunnel. A renderer only spells
 * these values in its platform's words; it chooses none of them.
 *
 * The design every platform follows (docs/decisions.md, "IPsec on every source platform"):
 * IKEv2 with the tunnel's pre-shared key, the two underlay addresses as IKE peers and as
 * identities, ESP in transport mode over exactly the encapsulated traffic, the source end
 * initiating and the AVS end responding.
 */
import { ends } from "./header";
import { IPSEC_SUITES, type IpsecSuite, type IpsecSuiteId } from "./ipsec-suites";
import { GeneratorInputError, type EndpointSide, type GatewayContext } from "./types";

/**
 * Timers, the same at both ends. Rekeying is make-before-break on every platform here: a new SA
 * is negotiated while the old one still carries traffic. The IKE SA is rekeyed (not
 * re-authenticated) every 4 h, each child SA every hour with a fresh ECDH exchange; DPD sends an
 * IKE informational after 30 s without traffic from the peer, and gives the peer up after five
 * unanswered checks.
 */
export const IPSEC_TIMERS = { ikeLifetimeSeconds: 4 * 3600, childLifetimeSeconds: 3600, dpdDelaySeconds: 30, dpdRetries: 5 } as const;

/**
 * ESP's cost in transport mode with AES-GCM (RFC 4106), either key size: SPI and sequence
 * number 8, IV 8, padding to a 4-byte boundary at most 3, pad length and next header 2, ICV 16.
 * No outer IP header, whatever the address family.
 */
export const ESP_TRANSPORT_GCM_MAX_BYTES = 8 + 8 + 3 + 2 + 16;

/** The IP protocol number of L2TPv3 carried directly over IP (RFC 3931). */
export const L2TPV3_IP_PROTOCOL = 115;

/** One side of a traffic selector: one host, and a protocol with an optional port (null: any). */
export type SelectorEnd = { address: string; protocol: "udp" | typeof L2TPV3_IP_PROTOCOL; port: number | null };
/** One child SA's selectors, as this end sees them. */
export type TrafficSelector = { name: string; what: string; local: SelectorEnd; remote: SelectorEnd };

export type IpsecPlan = {
  /** bh-<slug>-t<ordinal>: connection, secret, groups and files are named after it. */
  name: string;
  side: EndpointSide;
  ikeVersion: 2;
  suiteId: IpsecSuiteId;
  suite: IpsecSuite;
  mode: "transport";
  /** The tunnel's pre-shared key: its base64 text is the key itself, on every platform (docs/decisions.md). */
  psk: string;
  local: { address: string; id: string; hostname: string };
  remote: { address: string; id: string; hostname: string };
  /** The source end initiates, the AVS end responds: one initiator, no duplicate SAs. */
  initiator: boolean;
  timers: typeof IPSEC_TIMERS;
  selectors: TrafficSelector[];
  /** The MTU budget's figures the files quote: what the budget set aside for ESP and what transport-mode GCM costs. */
  mtu: { innerMtu: number; mss: number; budgetEspBytes: number; espMaxBytes: number; encapsulationBytes: number; underlayMtu: number };
};

/**
 * A key text that swanctl reads as an encoding rather than as text: "0x…" as hex and "0s…" as
 * base64, either case, quoted or not (and VyOS writes its key into swanctl as it stands). The
 * console never issues such a key (lib/secrets.ts); one stored before is written so swanctl
 * reads its text (targets/strongswan.ts).
 */
export const PSK_READ_AS_ENCODING = /^0[xs]/i;

export function ipsecConnectionName(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/**
 * The IPsec of one end of the tunnel. Throws GeneratorInputError when the tenant has no IPsec
 * transport or the tunnel no key.
 *
 * Why two child SAs for VXLAN, not one `A[udp/4789] <-> B[udp/4789]`: RFC 7348 §5 has each end
 * pick the VXLAN *source* port from a hash of the inner flow, so only the destination port is
 * 4789. A selector pinned to 4789 on both sides would match almost nothing and the VXLAN would
 * cross the internet in clear text. So: "any port → peer:4789" and "peer's any port → my 4789",
 * one child each; the peer's plan holds the mirror image.
 */
export function planIpsec(context: GatewayContext, side: EndpointSide): IpsecPlan {
  const { tenant, tunnel, mtu, vxlanPort } = context;
  if (tenant.transport !== "ipsec-vpn") {
    throw new GeneratorInputError("tenant.transport", `IPsec configs are for an IPsec VPN transport, and this tenant uses ${tenant.transport}.`);
  }
  if (!tunnel.psk) {
    throw new GeneratorInputError("tunnel.psk", "An IPsec VPN tunnel needs its pre-shared key: set one on the tunnel, then download again.");
  }
  const { local, peer } = ends(context, side);
  const name = ipsecConnectionName(context);
  const suiteId = tunnel.ipsecSuite;
  const at = (address: string, port: number | null): SelectorEnd => ({ address, protocol: "udp", port });
  const selectors: TrafficSelector[] =
    tenant.encapsulation === "vxlan"
      ? [
          { name: `${name}-out`, what: "this end's VXLAN toward the peer's port; any source port", local: at(local.underlayIp, null), remote: at(peer.underlayIp, vxlanPort) },
          { name: `${name}-in`, what: "the peer's VXLAN toward this end's port; any source port", local: at(local.underlayIp, vxlanPort), remote: at(peer.underlayIp, null) },
        ]
      : [
          {
            name,
            what: `L2TPv3 over IP (protocol ${L2TPV3_IP_PROTOCOL}), both directions`,
            local: { address: local.underlayIp, protocol: L2TPV3_IP_PROTOCOL, port: null },
            remote: { address: peer.underlayIp, protocol: L2TPV3_IP_PROTOCOL, port: null },
          },
        ];
  return {
    name,
    side,
    ikeVersion: 2,
    suiteId,
    suite: IPSEC_SUITES[suiteId],
    mode: "transport",
    psk: tunnel.psk,
    local: { address: local.underlayIp, id: local.underlayIp, hostname: local.hostname },
    remote: { address: peer.underlayIp, id: peer.underlayIp, hostname: peer.hostname },
    initiator: side === "source",
    timers: IPSEC_TIMERS,
    selectors,
    mtu: {
      innerMtu: mtu.innerMtu,
      mss: mtu.mss,
      budgetEspBytes: mtu.transportBytes,
      espMaxBytes: ESP_TRANSPORT_GCM_MAX_BYTES,
      encapsulationBytes: mtu.encapsulationBytes,
      underlayMtu: mtu.underlayMtu,
    },
  };
}

/** A duration the way people read it: 4 h, 1 h, 30 s. */
export function humanSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * What every platform's header says about rekeying and dead peers, in the same words, so an
 * operator reading either end's file sees the same promise. `dpdAction` is the platform's own
 * phrase for what this end does when the peer is declared dead.
 */
export function describeIpsecBehaviour(plan: IpsecPlan, platform: { dpdAction: string }): string[] {
  const { timers, suite } = plan;
  return [
    `IPsec:       IKEv2, ${suite.label}, pre-shared key; ESP transport mode between ${plan.local.address} and ${plan.remote.address}.`,
    `Rekey:       IKE SA every ${humanSeconds(timers.ikeLifetimeSeconds)}, each child SA every ${humanSeconds(timers.childLifetimeSeconds)} with a fresh ECDH (PFS group ${suite.esp.pfsGroup}); the new SA is`,
    "             made before the old one is dropped, so a rekey loses no packet.",
    `DPD:         a liveness check after ${timers.dpdDelaySeconds} s without traffic from the peer; after ${timers.dpdRetries} unanswered checks the peer is dead and`,
    `             this end ${platform.dpdAction}.`,
    `ESP:         transport mode with AES-GCM costs at most ${plan.mtu.espMaxBytes} B a packet; the MTU budget sets aside ${plan.mtu.budgetEspBytes} B (tunnel mode's worst`,
    `             case), so inner MTU ${plan.mtu.innerMtu} and TCP MSS ${plan.mtu.mss} hold with ${plan.mtu.budgetEspBytes - plan.mtu.espMaxBytes} B to spare.`,
    plan.initiator
      ? "Role:        this end INITIATES the IKE SA; the AVS end responds (it negotiates itself only when it has traffic first)."
      : "Role:        this end RESPONDS; the source end brings the tunnel up.",
  ];
}
