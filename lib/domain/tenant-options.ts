/**
 * The choices that describe a tenant's stretch and its people, each defined once with the words
 * an operator reads: the schema's enums, the forms' options, the validation and the generators
 * all take their values from here.
 */

import { keysOf } from "./keys-of";

export const SOURCE_ENVIRONMENTS = {
  "hyper-v": "Hyper-V",
  "kvm-proxmox": "KVM / Proxmox",
  openstack: "OpenStack",
  rhv: "Red Hat Virtualization",
  "bare-metal": "Bare metal",
  other: "Other",
} as const;
export type SourceEnvironment = keyof typeof SOURCE_ENVIRONMENTS;

export const TRANSPORTS = {
  "ipsec-vpn": "IPsec VPN",
  "expressroute-global-reach": "ExpressRoute / Global Reach",
  "sd-wan": "SD-WAN",
} as const;
export type Transport = keyof typeof TRANSPORTS;

export const ENCAPSULATIONS = { vxlan: "VXLAN", l2tpv3: "L2TPv3" } as const;
export type Encapsulation = keyof typeof ENCAPSULATIONS;

/**
 * The source gateway's platform, as the operator says it is: its files must render, so the tunnel
 * form refuses a value that platform cannot take. The keys are the generators' target ids.
 */
export const SOURCE_PLATFORMS = {
  "linux-iproute2": "Linux (iproute2 scripts)",
  "systemd-networkd": "Linux (systemd-networkd)",
  netplan: "Linux (netplan)",
  ifupdown2: "Debian / Proxmox (ifupdown2)",
  vyos: "VyOS 1.4",
  "cisco-iosxe": "Cisco IOS XE",
  "mikrotik-routeros": "MikroTik RouterOS v7",
} as const;
export type SourcePlatform = keyof typeof SOURCE_PLATFORMS;

export const GATEWAY_LOCATIONS = { source: "At the source site", avs: "In AVS (NSX-T Tier-1)" } as const;
export type GatewayLocation = keyof typeof GATEWAY_LOCATIONS;

/** The two ends of every tunnel, as operators name them in messages. */
export const SIDE_NAME = { source: "source gateway", avs: "AVS edge bridge" } as const;
export type Side = keyof typeof SIDE_NAME;
export const SIDES = keysOf(SIDE_NAME);

/** A customer's user's role on their one tenant. */
export const TENANT_ROLES = { "tenant-admin": "Tenant admin", "tenant-viewer": "Tenant viewer" } as const;
export type TenantRole = keyof typeof TENANT_ROLES;

/** How an admin names a customer's user: by Entra object id or by sign-in name. */
export const PRINCIPAL_KINDS = { "object-id": "Object id", "sign-in-name": "Sign-in name" } as const;
export type PrincipalKind = keyof typeof PRINCIPAL_KINDS;
