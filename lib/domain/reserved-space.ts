/**
 * What a private cloud's address space already holds, and the one check a tenant subnet must
 * pass against it: at onboarding, and again before a cut-over (a range reserved since may now
 * collide). Pure: the caller loads the cloud, the admin-added ranges and the other tenants.
 */
import { findOverlaps, type Cidr } from "./cidr";

export type ReservedKind = "management" | "extended" | "platform" | "admin";

export type ReservedRange = {
  cidr: string;
  kind: ReservedKind;
  /** How a refusal names it. */
  label: string;
  /** Why nothing may be stretched over it. */
  reason: string;
  /** Admin-added ranges: their row, scope and author, so the list can offer to remove them. */
  admin?: { id: string; scope: "all" | "cloud"; addedBy: string | null; addedAt: Date };
};

/**
 * Reserved in every AVS private cloud, whatever Azure reports: NSX-T's defaults and Azure's own
 * addresses. Sources: VMware's NSX-T defaults (Tier-0/Tier-1 transit, internal transit), the
 * AVS network planning checklist (172.17.0.0/16), Azure's virtual network FAQ (168.63.129.16).
 */
export const PLATFORM_RESERVED_RANGES: readonly Omit<ReservedRange, "kind" | "admin">[] = [
  {
    cidr: "100.64.0.0/10",
    label: "NSX-T transit and CGNAT space",
    reason:
      "NSX-T carves its default Tier-0 ↔ Tier-1 transit subnets from 100.64.0.0/16 inside every private cloud, and the rest of " +
      "100.64.0.0/10 is the shared address space (RFC 6598) carriers use for CGNAT, which may sit on the path to the source site.",
  },
  {
    cidr: "169.254.0.0/16",
    label: "link-local and NSX-T internal transit",
    reason: "NSX-T's internal Tier-0 transit (169.254.0.0/24) and inter-SR routing (169.254.0.128/25) live here; link-local space is never routed.",
  },
  {
    cidr: "172.17.0.0/16",
    label: "AVS internal range",
    reason: "Azure VMware Solution refuses it for a private cloud's own address blocks (network planning checklist): the service uses it internally.",
  },
  {
    cidr: "168.63.129.16/32",
    label: "Azure platform address",
    reason: "Azure's virtual public IP for DNS, DHCP and health probes, reachable from every Azure network: a stretched subnet holding it would shadow it.",
  },
];

export type CloudBlocks = { name: string; networkBlock: string; extendedNetworkBlocks: string[] };

export type AdminRange = { id: string; cidr: string; reason: string; privateCloudId: string | null; addedBy: string | null; addedAt: Date };

/** The documented list for one private cloud: its /22 and extended blocks, the platform's ranges, and what admins added. */
export function reservedSpaceOf(cloud: CloudBlocks, adminRanges: AdminRange[]): ReservedRange[] {
  return [
    {
      cidr: cloud.networkBlock,
      kind: "management",
      label: `${cloud.name}'s management block`,
      reason: "The /22 the private cloud was deployed with: vCenter, NSX Manager, HCX, vMotion, vSAN and ExpressRoute peering are carved from it.",
    },
    ...cloud.extendedNetworkBlocks.map((cidr) => ({
      cidr,
      kind: "extended" as const,
      label: `${cloud.name}'s extended block`,
      reason: "An extended network block of the private cloud, as Azure reports it.",
    })),
    ...PLATFORM_RESERVED_RANGES.map((range) => ({ ...range, kind: "platform" as const })),
    ...adminRanges.map((range) => ({
      cidr: range.cidr,
      kind: "admin" as const,
      label: `reserved range “${range.reason}”`,
      reason: range.reason,
      admin: { id: range.id, scope: range.privateCloudId === null ? ("all" as const) : ("cloud" as const), addedBy: range.addedBy, addedAt: range.addedAt },
    })),
  ];
}

export type AddressConflict = { cidr: string; label: string; kind: ReservedKind | "tenant" };

/**
 * Everything a subnet in this private cloud overlaps, of any mask: a reserved range or another
 * live tenant's subnet. Empty when the subnet is clear. Tenants in other private clouds are not
 * the caller's to pass: their segments never meet this one.
 */
export function findAddressConflicts(subnet: Cidr, space: { reserved: ReservedRange[]; tenants: { name: string; subnet: string }[] }): AddressConflict[] {
  const candidates = [
    ...space.reserved.map((range) => ({ cidr: range.cidr, label: range.label, kind: range.kind as AddressConflict["kind"] })),
    ...space.tenants.map((tenant) => ({ cidr: tenant.subnet, label: `tenant ${tenant.name}`, kind: "tenant" as const })),
  ];
  return findOverlaps(subnet, candidates).map((overlap) => ({ cidr: overlap.canonical, label: overlap.label, kind: overlap.kind }));
}

/** "10.0.0.0/24 overlaps A (…), B (…)": the sentence a form shows beside the subnet field. */
export function describeConflicts(subnet: string, conflicts: AddressConflict[]): string {
  const list = conflicts.map((c) => `${c.label} (${c.cidr})`).join(", ");
  return `${subnet} overlaps ${list}. Choose a subnet that overlaps nothing in this private cloud.`;
}

