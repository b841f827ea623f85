/**
 * Rows for a seeded fleet, shared by the tests and the benchmarks: a private cloud, and the n-th
 * of many active tenants, each in a /24 of its own with its gateway at the source.
 */
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants } from "@/lib/db/schema";
import type { SourceEnvironment, Transport } from "@/lib/domain/tenant-options";

/** A private cloud named `name` (unique per database), in the given subscription. */
export async function insertPrivateCloud(db: Database, name: string, options: { subscription?: string; networkBlock?: string } = {}) {
  const subscription = options.subscription ?? "bench";
  const [cloud] = await db
    .insert(privateClouds)
    .values({
      azureResourceId: `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/${name}`,
      subscriptionId: subscription,
      resourceGroup: "rg",
      name,
      region: "westeurope",
      networkBlock: options.networkBlock ?? "10.120.0.0/22",
    })
    .returning();
  return cloud!;
}

export type FleetTenantOptions = {
  slug: string;
  displayName: string;
  transport?: Transport;
  sourceEnvironment?: SourceEnvironment;
  /** The first two octets the tenants' /24s count up from: tenant n gets a.(b + n/256).(n%256).0/24. */
  network?: readonly [number, number];
  sourceGatewayUnderlayIp?: string;
};

/** The n-th tenant of a seeded fleet, ready to insert: active, its own /24, gateway at the source. */
export function fleetTenant(privateCloudId: string, n: number, options: FleetTenantOptions): typeof tenants.$inferInsert {
  const [a, b] = options.network ?? [10, 0];
  return {
    slug: options.slug,
    displayName: options.displayName,
    privateCloudId,
    sourceEnvironment: options.sourceEnvironment ?? "kvm-proxmox",
    transport: options.transport ?? "expressroute-global-reach",
    subnet: `${a}.${b + (n >> 8)}.${n & 255}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: options.sourceGatewayUnderlayIp ?? "198.51.100.10",
    state: "active",
  };
}
