/**
 * How a tenant's NSX-T segment is named in Azure. The name is the ARM resource name, derived
 * from the slug alone, so a repeated PUT is idempotent and a restarted job finds the segment it
 * created; the display name is what the NSX-T and Azure portals show.
 */
export function segmentNameFor(slug: string): string {
  return `bh-${slug}`;
}

export function segmentDisplayNameFor(slug: string, vlanId: number): string {
  return `${slug} VLAN ${vlanId}`;
}
