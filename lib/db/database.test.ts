import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachDatabase } from "@/tests/support/databases";
import type { Database } from "./client";
import * as schema from "./schema";

const CLOUD = {
  azureResourceId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-avs/providers/Microsoft.AVS/privateClouds/pc-weu-1",
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg-avs",
  name: "pc-weu-1",
  region: "westeurope",
  networkBlock: "10.100.0.0/22",
  tier1Gateways: [{ id: "TNT01-T1", displayName: "TNT01-T1" }],
};

/** Inserts one tenant with everything hanging off it: the whole domain in one fixture. */
async function seedTenantGraph(db: Database, slug: string, vlanId: number) {
  const [cloud] = await db
    .insert(schema.privateClouds)
    .values({ ...CLOUD, azureResourceId: `${CLOUD.azureResourceId}-${slug}`, name: `pc-${slug}` })
    .returning();
  const [pool] = await db.insert(schema.vlanPools).values({ privateCloudId: cloud!.id }).returning();
  const [tenant] = await db
    .insert(schema.tenants)
    .values({
      slug,
      displayName: `Tenant ${slug}`,
      privateCloudId: cloud!.id,
      contacts: [{ name: "Ada Admin", email: "ada@example.com", role: "network" }],
      sourceEnvironment: "kvm-proxmox",
      transport: "ipsec-vpn",
      subnet: "192.168.50.0/24",
      gatewayLocation: "source",
      underlayMtu: 1600,
      sourceGatewayUnderlayIp: "203.0.113.10",
      plannedCutoverOn: "2027-03-31",
    })
    .returning();
  await db.insert(schema.vlanAllocations).values({ poolId: pool!.id, tenantId: tenant!.id, vlanId, vni: 10_000 + vlanId });
  await db.insert(schema.segments).values({
    tenantId: tenant!.id,
    privateCloudId: cloud!.id,
    segmentName: `bh-${slug}`,
    displayName: `${slug} VLAN ${vlanId}`,
  });
  const [tunnel] = await db.insert(schema.tunnels).values({ tenantId: tenant!.id, ordinal: 1, name: "primary" }).returning();
  const [endpoint] = await db
    .insert(schema.tunnelEndpoints)
    .values({ tunnelId: tunnel!.id, side: "source", hostname: "gw1", underlayIp: "203.0.113.10" })
    .returning();
  await db.insert(schema.telemetrySamples).values({
    endpointId: endpoint!.id,
    measuredAt: new Date("2026-11-21T10:00:00Z"),
    rttMs: 12.5,
    lossPct: 0,
    path: [{ ttl: 1, address: "203.0.113.1", rttMs: 0.4 }],
    txBytes: 9_007_199_254_740_000,
  });
  await db.insert(schema.warnings).values({
    tenantId: tenant!.id,
    tunnelId: tunnel!.id,
    kind: "latency-objective",
    severity: "warning",
    dedupeKey: `${tunnel!.id}:latency-objective`,
    message: "RTT 45 ms above the 20 ms objective",
  });
  await db.insert(schema.auditEvents).values({
    actor: "ada@example.com",
    action: "tenant.onboard",
    entityType: "tenant",
    entityId: tenant!.id,
    tenantId: tenant!.id,
    after: { slug },
  });
  return { cloud: cloud!, pool: pool!, tenant: tenant!, tunnel: tunnel!, endpoint: endpoint! };
}

function uniqueViolation(error: unknown): string | undefined {
  // drizzle wraps driver errors; the PostgreSQL error (from pg or PGlite) is the cause.
  const cause = (error as { cause?: { code?: string; constraint?: string } }).cause ?? (error as { code?: string });
  return (cause as { code?: string }).code;
}

describeEachDatabase("database schema", ({ handle }) => {
  it("round-trips a tenant with its VLAN, segment, tunnel, telemetry, warning and audit trail", async () => {
    const { db } = handle();
    const seeded = await seedTenantGraph(db, "acme", 120);

    const tenant = await db.query.tenants.findFirst({ where: eq(schema.tenants.slug, "acme") });
    expect(tenant).toMatchObject({
      displayName: "Tenant acme",
      contacts: [{ name: "Ada Admin", email: "ada@example.com", role: "network" }],
      sourceEnvironment: "kvm-proxmox",
      subnet: "192.168.50.0/24",
      underlayMtu: 1600,
      plannedCutoverOn: "2027-03-31",
      state: "onboarding",
    });
    const pool = await db.query.vlanPools.findFirst({ where: eq(schema.vlanPools.id, seeded.pool.id) });
    expect(pool?.ranges).toEqual([{ from: 2, to: 4094 }]);
    expect(pool?.reservedVlans).toEqual([1, 1002, 1003, 1004, 1005]);
    expect(pool?.quarantineDays).toBe(30);

    const [sample] = await db
      .select()
      .from(schema.telemetrySamples)
      .where(eq(schema.telemetrySamples.endpointId, seeded.endpoint.id));
    expect(sample?.measuredAt.toISOString()).toBe("2026-11-21T10:00:00.000Z");
    expect(sample?.path).toEqual([{ ttl: 1, address: "203.0.113.1", rttMs: 0.4 }]);
    expect(sample?.txBytes).toBe(9_007_199_254_740_000);

    const [warning] = await db.select().from(schema.warnings).where(eq(schema.warnings.tenantId, seeded.tenant.id));
    expect(warning).toMatchObject({ state: "open", severity: "warning", kind: "latency-objective" });
    const [audit] = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.entityId, seeded.tenant.id));
    expect(audit?.after).toEqual({ slug: "acme" });
  });

  it("refuses a second tenant on a VLAN or VNI that is already taken in the same pool", async () => {
    const { db } = handle();
    const first = await seedTenantGraph(db, "first", 200);
    const [other] = await db
      .insert(schema.tenants)
      .values({ ...tenantValues("second"), privateCloudId: first.cloud.id })
      .returning();

    const sameVlan = db.insert(schema.vlanAllocations).values({ poolId: first.pool.id, tenantId: other!.id, vlanId: 200, vni: 99_001 });
    await expect(sameVlan).rejects.toSatisfy((error) => uniqueViolation(error) === "23505");
    const sameVni = db.insert(schema.vlanAllocations).values({ poolId: first.pool.id, tenantId: other!.id, vlanId: 201, vni: 10_200 });
    await expect(sameVni).rejects.toSatisfy((error) => uniqueViolation(error) === "23505");

    // Released history does not block the VLAN from being handed out again.
    await db.update(schema.vlanAllocations).set({ state: "released", releasedAt: new Date() }).where(eq(schema.vlanAllocations.tenantId, first.tenant.id));
    await db.insert(schema.vlanAllocations).values({ poolId: first.pool.id, tenantId: other!.id, vlanId: 200, vni: 10_200 });
    const holders = await db.select().from(schema.vlanAllocations).where(eq(schema.vlanAllocations.vlanId, 200));
    expect(holders.map((h) => h.state).sort()).toEqual(["allocated", "released"]);
  });

  it("refuses a second allocated VLAN for one tenant and an out-of-range VLAN ID", async () => {
    const { db } = handle();
    const seeded = await seedTenantGraph(db, "single", 300);
    const second = db.insert(schema.vlanAllocations).values({ poolId: seeded.pool.id, tenantId: seeded.tenant.id, vlanId: 301, vni: 10_301 });
    await expect(second).rejects.toSatisfy((error) => uniqueViolation(error) === "23505");
    const outOfRange = db.insert(schema.vlanAllocations).values({ poolId: seeded.pool.id, tenantId: seeded.tenant.id, vlanId: 4095, vni: 14_095 });
    await expect(outOfRange).rejects.toSatisfy((error) => uniqueViolation(error) === "23514");
  });

  it("stores a re-sent telemetry sample once", async () => {
    const { db } = handle();
    const seeded = await seedTenantGraph(db, "resend", 400);
    const sample = { endpointId: seeded.endpoint.id, measuredAt: new Date("2026-11-21T11:00:00Z"), rttMs: 9 };
    await db.insert(schema.telemetrySamples).values(sample).onConflictDoNothing();
    await db.insert(schema.telemetrySamples).values({ ...sample, rttMs: 10 }).onConflictDoNothing();
    const [row] = await db
      .select({ n: sql<number>`count(*)::int`, rtt: sql<number>`max(${schema.telemetrySamples.rttMs})` })
      .from(schema.telemetrySamples)
      .where(eq(schema.telemetrySamples.measuredAt, sample.measuredAt));
    expect(row).toEqual({ n: 1, rtt: 9 });
  });
});

function tenantValues(slug: string) {
  return {
    slug,
    displayName: `Tenant ${slug}`,
    sourceEnvironment: "hyper-v" as const,
    transport: "expressroute-global-reach" as const,
    subnet: "172.16.10.0/24",
    gatewayLocation: "avs" as const,
    sourceGatewayUnderlayIp: "198.51.100.7",
  };
}
