/**
 * Demo data for the embedded mode: one private cloud (as the built-in AVS emulator holds it) and
 * a handful of tenants, two of them (Contoso, Fabrikam) with the built-in provider's demo
 * personas as members. Every tunnel end has an agent token, kept encrypted so the simulated
 * fleet (lib/demo/fleet.ts) can post as it. Never run against real Azure or a real
 * identity provider. Idempotent: a second start adds nothing, and demo data from an older
 * release gets the tokens and keys it lacks.
 */
import "server-only";
import { and, eq, inArray, isNull, notInArray } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import { segmentDisplayNameFor, segmentNameFor } from "@/lib/domain/segment";
import { deriveVni } from "@/lib/domain/vlan";
import type { Scenario } from "@/lib/fleet/scenarios";
import { encryptSecret, newPresharedKey, SECRET_PURPOSE } from "@/lib/secrets";
import { memberships, privateClouds, segments, tenants, tunnelEndpoints, tunnels, vlanAllocations, vlanPools } from "@/lib/db/schema";
import type { GatewayLocation } from "@/lib/domain/tenant-options";

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

type DemoTenant = {
  slug: string;
  displayName: string;
  contacts: { name: string; email: string; role?: string }[];
  sourceEnvironment: "hyper-v" | "kvm-proxmox" | "openstack" | "rhv" | "bare-metal" | "other";
  transport: "ipsec-vpn" | "expressroute-global-reach" | "sd-wan";
  subnet: string;
  gatewayLocation: GatewayLocation;
  underlayMtu: number;
  sourceGatewayUnderlayIp: string;
  stretchStartedOn: string;
  plannedCutoverOn: string;
  /** The tenant's RTT objective; the default (20 ms) when absent. */
  latencyObjectiveMs?: number;
  vlanId: number;
  /** A demo persona who may see this tenant; the others have no members. */
  member?: string;
  /** 2: a redundant tunnel beside the primary. */
  tunnels: 1 | 2;
  /** The source gateway gets the VLAN on a trunk (tagged) rather than on an access port. */
  trunkFed: boolean;
};

/**
 * Subnets overlap neither each other nor the cloud's 10.120.0.0/22; VLANs come from the demo
 * pool (100–999), the newer tenants' below 110 so that Contoso's 110 and Fabrikam's 120 keep
 * their places in tests that narrow the pool. Slugs, names and subnets stay clear of those the
 * end-to-end tests onboard.
 */
export const DEMO_TENANTS: DemoTenant[] = [
  {
    slug: "contoso",
    displayName: "Contoso Manufacturing",
    contacts: [{ name: "Alice", email: "alice@contoso.example", role: "network lead" }],
    sourceEnvironment: "kvm-proxmox",
    transport: "ipsec-vpn",
    subnet: "192.168.10.0/24",
    gatewayLocation: "source",
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.10",
    stretchStartedOn: "2026-09-01",
    plannedCutoverOn: "2027-02-28",
    // An IPsec VPN over the internet: its healthy round trip sits in the twenties.
    latencyObjectiveMs: 35,
    vlanId: 110,
    member: "alice@contoso.example",
    tunnels: 1,
    trunkFed: true,
  },
  {
    slug: "fabrikam",
    displayName: "Fabrikam Health",
    contacts: [{ name: "Bob", email: "bob@fabrikam.example", role: "infrastructure" }],
    sourceEnvironment: "hyper-v",
    transport: "expressroute-global-reach",
    subnet: "172.20.0.0/24",
    gatewayLocation: "avs",
    underlayMtu: 9000,
    sourceGatewayUnderlayIp: "203.0.113.20",
    stretchStartedOn: "2026-09-01",
    plannedCutoverOn: "2026-10-31",
    vlanId: 120,
    member: "bob@fabrikam.example",
    tunnels: 1,
    trunkFed: false,
  },
  {
    slug: "tailspin",
    displayName: "Tailspin Toys",
    contacts: [{ name: "Carol", email: "carol@tailspin.example", role: "cloud team" }],
    sourceEnvironment: "openstack",
    transport: "sd-wan",
    subnet: "10.31.0.0/24",
    gatewayLocation: "avs",
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.30",
    stretchStartedOn: "2026-10-05",
    plannedCutoverOn: "2027-01-15",
    vlanId: 101,
    tunnels: 2,
    trunkFed: true,
  },
  {
    slug: "woodgrove",
    displayName: "Woodgrove Bank",
    contacts: [{ name: "Dan", email: "dan@woodgrove.example", role: "network operations" }],
    sourceEnvironment: "bare-metal",
    transport: "ipsec-vpn",
    subnet: "10.32.0.0/23",
    gatewayLocation: "source",
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "203.0.113.40",
    stretchStartedOn: "2026-08-17",
    plannedCutoverOn: "2026-12-31",
    vlanId: 102,
    tunnels: 1,
    trunkFed: false,
  },
  {
    slug: "proseware",
    displayName: "Proseware Logistics",
    contacts: [{ name: "Erin", email: "erin@proseware.example", role: "IT manager" }],
    sourceEnvironment: "rhv",
    transport: "ipsec-vpn",
    subnet: "10.33.0.0/24",
    gatewayLocation: "source",
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.50",
    stretchStartedOn: "2026-06-01",
    plannedCutoverOn: "2026-09-30",
    vlanId: 103,
    tunnels: 1,
    trunkFed: false,
  },
  {
    slug: "alpine",
    displayName: "Alpine Ski House",
    contacts: [{ name: "Frank", email: "frank@alpine.example", role: "infrastructure" }],
    sourceEnvironment: "hyper-v",
    transport: "expressroute-global-reach",
    subnet: "172.22.0.0/23",
    gatewayLocation: "source",
    underlayMtu: 9000,
    sourceGatewayUnderlayIp: "203.0.113.60",
    stretchStartedOn: "2026-10-20",
    plannedCutoverOn: "2027-03-31",
    vlanId: 104,
    tunnels: 2,
    trunkFed: true,
  },
  {
    slug: "wingtip",
    displayName: "Wingtip Toys",
    contacts: [{ name: "Grace", email: "grace@wingtip.example", role: "network lead" }],
    sourceEnvironment: "kvm-proxmox",
    transport: "ipsec-vpn",
    subnet: "192.168.64.0/24",
    gatewayLocation: "source",
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.70",
    stretchStartedOn: "2026-11-02",
    plannedCutoverOn: "2027-02-01",
    vlanId: 105,
    tunnels: 1,
    trunkFed: true,
  },
  {
    slug: "fourthcoffee",
    displayName: "Fourth Coffee",
    contacts: [{ name: "Hank", email: "hank@fourthcoffee.example", role: "operations" }],
    sourceEnvironment: "other",
    transport: "expressroute-global-reach",
    subnet: "10.34.0.0/24",
    gatewayLocation: "avs",
    underlayMtu: 9000,
    sourceGatewayUnderlayIp: "203.0.113.80",
    stretchStartedOn: "2026-09-14",
    plannedCutoverOn: "2027-04-30",
    vlanId: 106,
    tunnels: 2,
    trunkFed: false,
  },
];

/** What the simulated fleet plays for each demo tenant's tunnels. Not stored: it is demo behaviour, not data. */
export const DEMO_SCENARIOS: Readonly<Record<string, Scenario>> = {
  contoso: "healthy",
  fabrikam: "latency-creep",
  tailspin: "asymmetric-path",
  woodgrove: "mtu-black-hole",
  proseware: "down",
  alpine: "broadcast-storm",
  wingtip: "flapping",
  fourthcoffee: "healthy",
};

/**
 * Demo tenants with two tunnels whose pair plays a failover and a fail-back every hour (the others
 * keep tunnel 1 active): the overview, the tenant page and the NOC wall then show a pair at work.
 */
export const DEMO_PAIR_FAILOVERS: ReadonlySet<string> = new Set(["fourthcoffee"]);

const TUNNEL_NAMES = { 1: "primary", 2: "redundant" } as const;

/** Where each end of a demo tunnel sits: one gateway and one edge bridge per tunnel. */
export function demoEndpointAddresses(tenantIndex: number, tenant: Pick<DemoTenant, "sourceGatewayUnderlayIp">, ordinal: 1 | 2) {
  const source = tenant.sourceGatewayUnderlayIp.split(".").map(Number);
  source[3] = source[3]! + ordinal - 1;
  return { source: source.join("."), avs: `10.120.${7 + ordinal}.${10 + tenantIndex}` };
}

export async function seedDemoData(db: Database, options: { secretsKey: Uint8Array }): Promise<void> {
  const secretsKey = options?.secretsKey;
  if (!(secretsKey instanceof Uint8Array) || secretsKey.length !== 32) {
    throw new TypeError("seedDemoData needs the 32-byte secrets key: pass { secretsKey: getSecretsKey(config) }.");
  }
  const issueToken = async () => {
    const token = newBearerToken("agt");
    return { agentTokenHash: hashToken(token), agentTokenCiphertext: await encryptSecret(token, secretsKey, SECRET_PURPOSE.agentToken), agentTokenRotatedAt: new Date() };
  };
  const issuePsk = () => encryptSecret(newPresharedKey(), secretsKey, SECRET_PURPOSE.psk);

  await db.transaction(async (tx) => {
    let [cloud] = await tx.select().from(privateClouds).where(eq(privateClouds.name, DEMO_PRIVATE_CLOUD.name));
    if (!cloud) [cloud] = await tx.insert(privateClouds).values(DEMO_PRIVATE_CLOUD).returning();
    let [pool] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud!.id));
    if (!pool) [pool] = await tx.insert(vlanPools).values({ privateCloudId: cloud!.id, ranges: [{ from: 100, to: 999 }] }).returning();

    for (const [index, { vlanId, member, tunnels: tunnelCount, trunkFed, ...values }] of DEMO_TENANTS.entries()) {
      const [existing] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, values.slug));
      if (existing) continue;
      const [tenant] = await tx
        .insert(tenants)
        .values({ ...values, privateCloudId: cloud!.id, state: "onboarding" })
        .returning();
      await tx.insert(vlanAllocations).values({ poolId: pool!.id, tenantId: tenant!.id, vlanId, vni: deriveVni(vlanId) });
      // The provisioning job creates it in the emulator and makes the tenant active.
      await tx.insert(segments).values({
        tenantId: tenant!.id,
        privateCloudId: cloud!.id,
        segmentName: segmentNameFor(values.slug),
        displayName: segmentDisplayNameFor(values.slug, vlanId),
        tier1GatewayId: values.gatewayLocation === "avs" ? (cloud!.tier1Gateways[0]?.id ?? null) : null,
      });
      if (member) {
        await tx.insert(memberships).values({ tenantId: tenant!.id, principalKind: "sign-in-name", principal: member, createdBy: "demo-seed" });
      }
      for (const ordinal of tunnelCount === 2 ? ([1, 2] as const) : ([1] as const)) {
        const [tunnel] = await tx
          .insert(tunnels)
          .values({ tenantId: tenant!.id, ordinal, name: TUNNEL_NAMES[ordinal], pskCiphertext: values.transport === "ipsec-vpn" ? await issuePsk() : null })
          .returning();
        const addresses = demoEndpointAddresses(index, values, ordinal);
        await tx.insert(tunnelEndpoints).values([
          { tunnelId: tunnel!.id, side: "source", hostname: `${values.slug}-gw${ordinal}`, underlayIp: addresses.source, lanTagged: trunkFed, ...(await issueToken()) },
          { tunnelId: tunnel!.id, side: "avs", hostname: `${values.slug}-bridge${ordinal}`, underlayIp: addresses.avs, ...(await issueToken()) },
        ]);
      }
    }

    // Demo data from before tokens were kept encrypted: give those ends a token the fleet can
    // use, and IPsec tunnels their key. Offboarded tenants keep their tokens revoked.
    const live = tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(inArray(tenants.slug, DEMO_TENANTS.map((t) => t.slug)), notInArray(tenants.state, ["offboarding", "offboarded"])));
    const tokenless = await tx
      .select({ id: tunnelEndpoints.id })
      .from(tunnelEndpoints)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .where(and(inArray(tunnels.tenantId, live), isNull(tunnelEndpoints.agentTokenCiphertext)));
    for (const { id } of tokenless) await tx.update(tunnelEndpoints).set(await issueToken()).where(eq(tunnelEndpoints.id, id));
    const ipsecTenants = tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(inArray(tenants.slug, DEMO_TENANTS.map((t) => t.slug)), eq(tenants.transport, "ipsec-vpn")));
    const keyless = await tx
      .select({ id: tunnels.id })
      .from(tunnels)
      .where(and(inArray(tunnels.tenantId, ipsecTenants), isNull(tunnels.pskCiphertext)));
    for (const { id } of keyless) await tx.update(tunnels).set({ pskCiphertext: await issuePsk() }).where(eq(tunnels.id, id));
  });
}
