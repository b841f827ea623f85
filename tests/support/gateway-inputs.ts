/**
 * Realistic inputs for generator tests, golden files and the benchmark: the demo's Contoso
 * (IPsec VPN, gateway at the source) and Fabrikam (ExpressRoute, gateway in AVS, jumbo underlay).
 */
import type { GatewayContextInput } from "@/lib/gateway/context";

export const CONTOSO_INPUT: GatewayContextInput = {
  tenant: {
    slug: "contoso",
    displayName: "Contoso Manufacturing",
    vlanId: 110,
    vni: 10110,
    subnet: "192.168.10.0/24",
    gatewayLocation: "source",
    transport: "ipsec-vpn",
    encapsulation: "vxlan",
    sourceEnvironment: "kvm-proxmox",
    segmentName: "bh-contoso",
    underlayMtu: 1500,
  },
  tunnel: {
    ordinal: 1,
    name: "primary",
    source: { side: "source", hostname: "contoso-gw1", underlayIp: "198.51.100.10", underlayInterface: null, lanInterface: null, lanTagged: true, agentToken: `agt_${"A".repeat(43)}` },
    avs: { side: "avs", hostname: "contoso-bridge1", underlayIp: "10.120.8.10", underlayInterface: null, lanInterface: null, lanTagged: false, agentToken: `agt_${"B".repeat(43)}` },
    psk: `${"c2VjcmV0".repeat(5)}abc=`,
  },
  consoleUrl: "https://bridgehead.example.com",
};

export const FABRIKAM_INPUT: GatewayContextInput = {
  tenant: {
    slug: "fabrikam",
    displayName: "Fabrikam Health",
    vlanId: 120,
    vni: 10120,
    subnet: "172.20.0.0/24",
    gatewayLocation: "avs",
    transport: "expressroute-global-reach",
    encapsulation: "vxlan",
    sourceEnvironment: "hyper-v",
    segmentName: "bh-fabrikam",
    underlayMtu: 9000,
  },
  tunnel: {
    ordinal: 1,
    name: "primary",
    source: { side: "source", hostname: "fabrikam-gw1", underlayIp: "203.0.113.20", underlayInterface: "ens18", lanInterface: "ens19", lanTagged: false, agentToken: `agt_${"C".repeat(43)}` },
    avs: { side: "avs", hostname: "fabrikam-bridge1", underlayIp: "10.120.8.11", underlayInterface: null, lanInterface: null, lanTagged: false, agentToken: null },
    psk: null,
  },
  consoleUrl: "https://bridgehead.example.com",
};

/** Contoso's second tunnel: another source gateway and another edge bridge, the standby of the pair. */
const CONTOSO_T2 = {
  name: "standby",
  source: { side: "source", hostname: "contoso-gw2", underlayIp: "198.51.100.11", underlayInterface: null, lanInterface: null, lanTagged: true, agentToken: `agt_${"D".repeat(43)}` },
  avs: { side: "avs", hostname: "contoso-bridge2", underlayIp: "10.120.8.12", underlayInterface: null, lanInterface: null, lanTagged: false, agentToken: `agt_${"E".repeat(43)}` },
} as const;

/**
 * Contoso with both tunnels, as the console hands them to the generators: tunnel 1 the pair's
 * primary, tunnel 2 its standby, each naming the other as its partner.
 */
export const CONTOSO_PAIR_INPUTS: readonly [GatewayContextInput, GatewayContextInput] = [
  {
    ...CONTOSO_INPUT,
    pair: {
      partner: { ordinal: 2, name: CONTOSO_T2.name, sourceHostname: CONTOSO_T2.source.hostname, sourceUnderlayIp: CONTOSO_T2.source.underlayIp, avsHostname: CONTOSO_T2.avs.hostname, avsUnderlayIp: CONTOSO_T2.avs.underlayIp },
    },
  },
  {
    ...CONTOSO_INPUT,
    tunnel: { ...CONTOSO_INPUT.tunnel, ordinal: 2, ...CONTOSO_T2, psk: `${"c2VjcmV0".repeat(5)}xyz=` },
    pair: {
      partner: { ordinal: 1, name: CONTOSO_INPUT.tunnel.name, sourceHostname: CONTOSO_INPUT.tunnel.source.hostname, sourceUnderlayIp: CONTOSO_INPUT.tunnel.source.underlayIp, avsHostname: CONTOSO_INPUT.tunnel.avs.hostname, avsUnderlayIp: CONTOSO_INPUT.tunnel.avs.underlayIp },
    },
  },
];

/** Contoso with its cut-over planned: the Tier-1 takes 192.168.10.1, held today on the source router's VLAN 110 interface. */
export const CONTOSO_CUTOVER_INPUT: GatewayContextInput = {
  ...CONTOSO_INPUT,
  stretch: { stage: "cutover-planned", gatewayAddress: "192.168.10.1/24", tier1Id: "TNT42-T1", sourceInterface: "eth1.110" },
};
