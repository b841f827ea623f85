/**
 * Realistic inputs for generator tests, golden files and the benchmark: the demo's Contoso
 * (IPsec VPN, gateway at the source) and Fabrikam (ExpressRoute, gateway in AVS, jumbo underlay).
 */
import type { GatewayContextInput } from "./context";

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
