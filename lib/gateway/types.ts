/**
 * The contract every gateway-config generator follows. A generator is a pure function of a
 * validated GatewayContext: same input, same bytes out (no clocks, no randomness, no I/O), so
 * golden files and property tests can pin it down. Adding a platform is one file under
 * targets/ that exports a GatewayTarget, one line in registry.ts, and its tests.
 */
import type { MtuBudget } from "@/lib/domain/mtu";
import type { IpsecSuiteId } from "./ipsec-suites";
import type { StretchStage } from "@/lib/domain/status";
import type { Encapsulation, GatewayLocation, Side, SourceEnvironment, SourcePlatform, Transport } from "@/lib/domain/tenant-options";

export type EndpointSide = Side;

/** One end of a tunnel, as the generators see it. Every string here has passed an allow-list. */
export type GatewayEndpoint = {
  side: EndpointSide;
  /** RFC 1123 host name: letters, digits, hyphens, dots. */
  hostname: string;
  /** Canonical IPv4 or IPv6 unicast address on the underlay. */
  underlayIp: string;
  /** The NIC toward the underlay, or null for the target's own default (eth0, GigabitEthernet1, ether1 …). */
  underlayInterface: string | null;
  /** The NIC toward the tenant's L2, or null for the target's default. */
  lanInterface: string | null;
  /** True: the tenant VLAN arrives 802.1Q-tagged on the LAN NIC (a trunk). False: untagged (access port, segment vNIC). */
  lanTagged: boolean;
  /** The telemetry agent's bearer token for this end (agt_…), or null when none was issued yet. */
  agentToken: string | null;
};

export type GatewayContext = {
  tenant: {
    slug: string;
    /** Free text from the operator; generators may only put it in comments, never in a value. */
    displayName: string;
    vlanId: number;
    vni: number;
    /** Canonical CIDR of the stretched subnet. */
    subnet: string;
    gatewayLocation: GatewayLocation;
    transport: Transport;
    encapsulation: Encapsulation;
    sourceEnvironment: SourceEnvironment;
    /** The NSX-T segment the AVS edge bridge's LAN NIC is attached to. */
    segmentName: string;
  };
  tunnel: {
    ordinal: 1 | 2;
    /** Short slug-like name, e.g. "primary". */
    name: string;
    source: GatewayEndpoint;
    avs: GatewayEndpoint;
    /** Base64 IPsec pre-shared key when the transport is an IPsec VPN; null otherwise. */
    psk: string | null;
    /** The source gateway's platform when the operator named it: its files must render (bundle.ts). */
    sourcePlatform: SourcePlatform | null;
    /** Which of the console's IPsec suites (lib/gateway/ipsec-suites.ts) both ends use. */
    ipsecSuite: IpsecSuiteId;
  };
  /** Computed from the underlay MTU, encapsulation, transport and the underlay's address family. */
  mtu: MtuBudget;
  /**
   * The tenant's other tunnel when it has two: then the two are an active/standby pair
   * (lib/gateway/pair.ts) and every generator writes its end's part of the pair. Null for a
   * tenant with one tunnel, whose files carry no pair at all.
   */
  pair: PairContext | null;
  /**
   * The end of the stretch, once a cut-over is planned: the gateway address the Tier-1 takes
   * (the cut-over files remove it at the source) and where the stretch stands. Null before a plan.
   */
  stretch: StretchContext | null;
  /** Where agents post: the console's public origin, e.g. https://bridgehead.example.com. */
  consoleUrl: string;
  /** VXLAN UDP port (IANA 4789). */
  vxlanPort: number;
};

/** What the cut-over and unextend files know about the end of the stretch. */
export type StretchContext = {
  stage: StretchStage;
  /** The gateway address with the subnet's prefix, e.g. "192.168.10.1/24": the Tier-1's from the cut-over on. */
  gatewayAddress: string;
  /** The Tier-1 the segment is connected to. */
  tier1Id: string;
  /** The interface holding the gateway address on the source site's router today, or null (found by address where the platform can). */
  sourceInterface: string | null;
};

/** What a tunnel's generators know about its partner in an active/standby pair. */
export type PairContext = {
  partner: {
    ordinal: 1 | 2;
    name: string;
    sourceHostname: string;
    sourceUnderlayIp: string;
    avsHostname: string;
    avsUnderlayIp: string;
  };
  /**
   * How long a recovered primary waits, healthy, before it takes the traffic back (the VRRP
   * preempt delay): the hold-down that keeps a pair from flapping with an unstable link.
   */
  holdDownSeconds: number;
};

export type GeneratedFile = {
  /** Relative path inside the bundle, e.g. "source/iproute2/bh-contoso-apply.sh". No "..", no leading "/". */
  path: string;
  contents: string;
  /** Unix mode for the zip entry: 0o755 for scripts, 0o600 for files holding a secret, 0o644 otherwise. */
  mode: number;
};

/**
 * What a target's files are for. The first five build the stretch (the bundle README's apply
 * order); "cut-over" moves the subnet's gateway off the source site's router, "unextend" tears
 * the stretch down at its end (their own README sections).
 */
export type TargetRole = "source-gateway" | "hypervisor" | "edge-bridge" | "transport" | "agent" | "cut-over" | "unextend";

export type GatewayTarget = {
  /** Stable id used in download URLs: lower-case letters, digits and hyphens. */
  id: string;
  label: string;
  role: TargetRole;
  /** Which end(s) the files are for. */
  sides: EndpointSide[];
  /** One line for the bundle README's apply order. */
  summary: string;
  /** Where it sits in the apply order (lower first). */
  applyOrder: number;
  /** False when the target does not apply to this tenant (e.g. strongSwan without an IPsec transport). */
  appliesTo(context: GatewayContext): boolean;
  /** Pure. Throws GeneratorInputError when a value cannot be rendered safely for this platform. */
  generate(context: GatewayContext): GeneratedFile[];
};

/** A value that passed the general allow-list but this platform cannot take (e.g. a 16-character Linux interface name). */
export class GeneratorInputError extends Error {
  override name = "GeneratorInputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
