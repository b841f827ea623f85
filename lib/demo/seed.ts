/**
 * Demo data for the embedded mode: one private cloud (as the built-in AVS emulator holds it) and
 * two tenants whose users are the built-in provider's demo personas. Never run against real
 * Azure or a real identity provider. Idempotent: a second start adds nothing.
 */
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { segmentNameFor } from "@/lib/commands/onboard-tenant";
import { deriveVni } from "@/lib/domain/vlan";
import { memberships, privateClouds, segments, tenants, tunnelEndpoints, tunnels, vlanAllocations, vlanPools } from "@/lib/db/schema";

export const DEMO_PRIVATE_CLOUD = {
  azureResourceId:
    "/subscriptions/00000000-0000-4000-8000-00000000b41d/resourceGroups/rg-avs-demo/providers/Microsoft.AVS/privateClouds/avs-weu-01",
  subscriptionId: "00000000-0000-4000-8000-00000000b41d",
  resourceGroup: "rg-avs-demo",
  name: "avs-weu-01",
  region: "westeurope",
  networkBlock: "10.120.0.0/22",
  tier1Gateways: [{ id: "TNT42-T1", displayName: "TNT42-T1" }],
};

export const DEMO_TENANTS = [
  {
    slug: "contoso",
    displayName: "Contoso Manufacturing",
    contacts: [{ name: "Alice", email: "alice@contoso.example", role: "network lead" }],
    sourceEnvironment: "kvm-proxmox" as const,
    transport: "ipsec-vpn" as const,
    subnet: "192.168.10.0/24",
    gatewayLocation: "source" as const,
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.10",
    plannedCutoverOn: "2027-02-28",
    vlanId: 110,
    member: "alice@contoso.example",
  },
  {
    slug: "fabrikam",
    displayName: "Fabrikam Health",
    contacts: [{ name: "Bob", email: "bob@fabrikam.example", role: "infrastructure" }],
    sourceEnvironment: "hyper-v" as const,
    transport: "expressroute-global-reach" as const,
    subnet: "172.20.0.0/24",
    gatewayLocation: "avs" as const,
    underlayMtu: 9000,
    sourceGatewayUnderlayIp: "203.0.113.20",
    plannedCutoverOn: "2026-10-31",
    vlanId: 120,
    member: "bob@fabrikam.example",
  },
];

export async function seedDemoData(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    let [cloud] = await tx.select().from(privateClouds).where(eq(privateClouds.name, DEMO_PRIVATE_CLOUD.name));
    if (!cloud) [cloud] = await tx.insert(privateClouds).values(DEMO_PRIVATE_CLOUD).returning();
    let [pool] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud!.id));
    if (!pool) [pool] = await tx.insert(vlanPools).values({ privateCloudId: cloud!.id, ranges: [{ from: 100, to: 999 }] }).returning();

    for (const [index, { vlanId, member, ...values }] of DEMO_TENANTS.entries()) {
      const [existing] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, values.slug));
      if (existing) continue;
      const [tenant] = await tx
        .insert(tenants)
        .values({ ...values, privateCloudId: cloud!.id, state: "onboarding", stretchStartedOn: "2026-09-01" })
        .returning();
      await tx.insert(vlanAllocations).values({ poolId: pool!.id, tenantId: tenant!.id, vlanId, vni: deriveVni(vlanId) });
      // The provisioning job creates it in the emulator and makes the tenant active.
      await tx.insert(segments).values({
        tenantId: tenant!.id,
        privateCloudId: cloud!.id,
        segmentName: segmentNameFor(values.slug),
        displayName: `${values.slug} VLAN ${vlanId}`,
        tier1GatewayId: values.gatewayLocation === "avs" ? (cloud!.tier1Gateways[0]?.id ?? null) : null,
      });
      await tx
        .insert(memberships)
        .values({ tenantId: tenant!.id, principalKind: "sign-in-name", principal: member, createdBy: "demo-seed" });
      const [tunnel] = await tx.insert(tunnels).values({ tenantId: tenant!.id, ordinal: 1, name: "primary" }).returning();
      await tx.insert(tunnelEndpoints).values([
        { tunnelId: tunnel!.id, side: "source", hostname: `${values.slug}-gw1`, underlayIp: values.sourceGatewayUnderlayIp },
        { tunnelId: tunnel!.id, side: "avs", hostname: `${values.slug}-bridge1`, underlayIp: `10.120.8.${10 + index}` },
      ]);
    }
  });
}
