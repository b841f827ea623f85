/**
 * What a fresh emulator holds: the demo subscription with two private clouds, shaped like the
 * answers real ARM gives for AVS (addresses derived from each cloud's /22 the way AVS carves it).
 * `avs-weu-01` is the cloud the console's demo data (lib/demo/seed.ts) points at. No segments:
 * those are the console's to create.
 */
import type { CloudRecord, EmulatorState } from "./store";

export const EMULATOR_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000b41d";
export const EMULATOR_RESOURCE_GROUP = "rg-avs-demo";

/** The Microsoft-managed subscription that owns the AVS side of each cloud's ExpressRoute circuit. */
const MANAGED_SUBSCRIPTION = "7f1b3c2d-5e4f-4a6b-9c8d-0e1f2a3b4c5d";

function privateCloud(input: {
  name: string;
  location: string;
  prefix: string; // the first two octets of the /22, e.g. "10.120"
  tenant: string; // AVS's internal tenant name, e.g. "tnt42"
  gateway: string;
  hosts: string[];
  globalReach: CloudRecord["globalReachConnections"];
}): CloudRecord {
  const { name, location, prefix, tenant } = input;
  const managedRg = `${tenant}-cust-p01-${location}`;
  return {
    resourceGroup: EMULATOR_RESOURCE_GROUP,
    name,
    location,
    tags: { environment: "demo", owner: "bridgehead" },
    sku: { name: "av36p" },
    properties: {
      provisioningState: "Succeeded",
      networkBlock: `${prefix}.0.0/22`,
      managementNetwork: `${prefix}.0.0/24`,
      provisioningNetwork: `${prefix}.2.0/25`,
      vmotionNetwork: `${prefix}.1.128/25`,
      extendedNetworkBlocks: [],
      internet: "Disabled",
      identitySources: [],
      availability: { strategy: "SingleZone", zone: 1 },
      encryption: { status: "Disabled" },
      nsxPublicIpQuotaRaised: "Disabled",
      externalCloudLinks: [],
      managementCluster: { clusterSize: input.hosts.length, clusterId: 1, provisioningState: "Succeeded", hosts: input.hosts },
      circuit: {
        primarySubnet: `${prefix}.3.244/30`,
        secondarySubnet: `${prefix}.3.248/30`,
        expressRouteID: `/subscriptions/${MANAGED_SUBSCRIPTION}/resourceGroups/${managedRg}/providers/Microsoft.Network/expressRouteCircuits/${tenant}-cust-p01-${location}-er`,
        expressRoutePrivatePeeringID: `/subscriptions/${MANAGED_SUBSCRIPTION}/resourceGroups/${managedRg}/providers/Microsoft.Network/expressRouteCircuits/${tenant}-cust-p01-${location}-er/peerings/AzurePrivatePeering`,
      },
      endpoints: {
        vcsa: `https://${prefix}.0.2/`,
        nsxtManager: `https://${prefix}.0.3/`,
        hcxCloudManager: `https://${prefix}.0.9/`,
      },
      vcenterCertificateThumbprint: "3F:9A:1C:77:0B:52:D4:E8:61:2A:9E:C0:45:B7:13:8D:F2:6C:A0:19",
      nsxtCertificateThumbprint: "A4:0E:6B:93:2F:C8:51:7D:E0:34:B9:16:8A:F5:2C:67:D1:09:4E:B3",
    },
    gateways: [{ id: input.gateway, displayName: input.gateway }],
    globalReachConnections: input.globalReach,
    segments: [],
  };
}

export function seedState(): EmulatorState {
  return {
    version: 1,
    subscriptionId: EMULATOR_SUBSCRIPTION_ID,
    resourceGroups: [EMULATOR_RESOURCE_GROUP],
    clouds: [
      privateCloud({
        name: "avs-weu-01",
        location: "westeurope",
        prefix: "10.120",
        tenant: "tnt42",
        gateway: "TNT42-T1",
        hosts: ["esx01-r07.p01.westeurope.avs.azure.com", "esx02-r07.p01.westeurope.avs.azure.com", "esx03-r07.p01.westeurope.avs.azure.com"],
        globalReach: [
          {
            name: "gr-onprem-ams",
            properties: {
              provisioningState: "Succeeded",
              addressPrefix: "172.31.255.248/29",
              circuitConnectionStatus: "Connected",
              peerExpressRouteCircuit:
                "/subscriptions/3c5e1a0b-8d2f-4e6a-b7c9-1d0e2f3a4b5c/resourceGroups/rg-network-onprem/providers/Microsoft.Network/expressRouteCircuits/er-ams-equinix-am3",
              expressRouteId:
                "/subscriptions/3c5e1a0b-8d2f-4e6a-b7c9-1d0e2f3a4b5c/resourceGroups/rg-network-onprem/providers/Microsoft.Network/expressRouteCircuits/er-ams-equinix-am3",
            },
          },
        ],
      }),
      privateCloud({
        name: "avs-neu-01",
        location: "northeurope",
        prefix: "10.130",
        tenant: "tnt43",
        gateway: "TNT43-T1",
        hosts: ["esx01-r12.p01.northeurope.avs.azure.com", "esx02-r12.p01.northeurope.avs.azure.com", "esx03-r12.p01.northeurope.avs.azure.com"],
        globalReach: [],
      }),
    ],
    operations: [],
  };
}
