/**
 * Reads the private clouds from Azure (or the emulator) into the console: network blocks, Tier-1
 * gateways and Global Reach connections. Azure is the source of truth; the console keeps a copy
 * so onboarding can check addresses without a round trip.
 */
import "server-only";
import type { AzureVMwareSolutionAPI, PrivateCloud } from "@azure/arm-avs";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { privateClouds } from "@/lib/db/schema";

export type SyncScope = { subscriptionId: string; resourceGroup?: string };

export async function syncPrivateClouds(db: Database, avs: AzureVMwareSolutionAPI, scope: SyncScope, now = new Date()): Promise<number> {
  const clouds: PrivateCloud[] = [];
  const pages = scope.resourceGroup ? avs.privateClouds.list(scope.resourceGroup) : avs.privateClouds.listInSubscription();
  for await (const cloud of pages) clouds.push(cloud);

  for (const cloud of clouds) {
    if (!cloud.id || !cloud.name) continue;
    const resourceGroup = resourceGroupOf(cloud.id);
    const tier1Gateways: { id: string; displayName: string }[] = [];
    for await (const gateway of avs.workloadNetworks.listGateways(resourceGroup, cloud.name)) {
      if (gateway.name) tier1Gateways.push({ id: gateway.name, displayName: gateway.displayName ?? gateway.name });
    }
    const globalReachConnections: { id: string; name: string; peerCircuitId?: string; status?: string }[] = [];
    for await (const connection of avs.globalReachConnections.list(resourceGroup, cloud.name)) {
      globalReachConnections.push({
        id: connection.id ?? "",
        name: connection.name ?? "",
        peerCircuitId: connection.peerExpressRouteCircuit,
        status: connection.circuitConnectionStatus,
      });
    }
    const values = {
      azureResourceId: cloud.id,
      subscriptionId: scope.subscriptionId,
      resourceGroup,
      name: cloud.name,
      region: cloud.location ?? "unknown",
      networkBlock: cloud.networkBlock ?? "",
      extendedNetworkBlocks: cloud.extendedNetworkBlocks ?? [],
      tier1Gateways,
      globalReachConnections,
      lastSyncedAt: now,
    };
    const [existing] = await db
      .select({ id: privateClouds.id })
      .from(privateClouds)
      .where(eq(sql`lower(${privateClouds.azureResourceId})`, cloud.id.toLowerCase()));
    if (existing) await db.update(privateClouds).set(values).where(eq(privateClouds.id, existing.id));
    else await db.insert(privateClouds).values(values).onConflictDoNothing();
  }
  return clouds.length;
}

function resourceGroupOf(resourceId: string): string {
  const match = /\/resourceGroups\/([^/]+)\//i.exec(resourceId);
  if (!match) throw new Error(`Not an ARM resource id: ${resourceId}`);
  return match[1]!;
}
