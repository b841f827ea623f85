import { and, count, eq, ne } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { auditEvents, privateClouds, reservedPrefixes, segments, tenants, vlanAllocations, vlanPools } from "@/lib/db/schema";
import { onboardTenantInput, type OnboardTenantInput } from "@/lib/validation/tenant";
import { createPostgresDatabase, describeEachDatabase, postgresAvailable } from "@/tests/support/databases";
import { allocateVlan } from "./allocate-vlan";
import { offboardTenant } from "./offboard-tenant";
import { onboardTenant } from "./onboard-tenant";

let cloudSeq = 0;
async function createCloud(db: Database, pool?: { ranges: { from: number; to: number }[] }) {
  cloudSeq++;
  const [cloud] = await db
    .insert(privateClouds)
    .values({
      azureResourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/pc-${cloudSeq}-${Math.random()}`,
      subscriptionId: "s",
      resourceGroup: "rg",
      name: `pc-${cloudSeq}`,
      region: "westeurope",
      networkBlock: "10.100.0.0/22",
      extendedNetworkBlocks: ["10.101.0.0/22"],
      tier1Gateways: [{ id: "TNT01-T1", displayName: "TNT01-T1" }],
    })
    .returning();
  if (pool) await db.insert(vlanPools).values({ privateCloudId: cloud!.id, ranges: pool.ranges });
  return cloud!;
}

/** A valid onboarding, through the same schema the form uses; the n-th gets its own /24. */
function input(cloudId: string, n: number, overrides: Record<string, unknown> = {}): OnboardTenantInput {
  return onboardTenantInput.parse({
    privateCloudId: cloudId,
    slug: `t${cloudSeq}-${n}`,
    displayName: `Tenant ${n}`,
    contacts: [{ name: "Ada Admin", email: "ada@example.com" }],
    sourceEnvironment: "kvm-proxmox",
    transport: "ipsec-vpn",
    subnet: `172.${16 + Math.floor(n / 256)}.${n % 256}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: "198.51.100.10",
    ...overrides,
  });
}

async function counts(db: Database, cloudId: string) {
  const [t] = await db.select({ n: count() }).from(tenants).where(eq(tenants.privateCloudId, cloudId));
  const [s] = await db.select({ n: count() }).from(segments).where(eq(segments.privateCloudId, cloudId));
  const [a] = await db
    .select({ n: count() })
    .from(vlanAllocations)
    .innerJoin(vlanPools, eq(vlanPools.id, vlanAllocations.poolId))
    .where(eq(vlanPools.privateCloudId, cloudId));
  return { tenants: t!.n, segments: s!.n, allocations: a!.n };
}

describeEachDatabase("onboarding", ({ handle }) => {
  let db: Database;
  beforeAll(() => {
    db = handle().db;
  });

  it("creates the tenant, its VLAN and derived VNI, a pending segment and an audit event", async () => {
    const cloud = await createCloud(db);
    const result = await onboardTenant(db, null, input(cloud.id, 1, { gatewayLocation: "avs" }));
    expect(result).toEqual({ ok: true, tenantId: expect.any(String), slug: `t${cloudSeq}-1`, vlanId: 2, vni: 10_002 });
    if (!result.ok) return;
    const [segment] = await db.select().from(segments).where(eq(segments.tenantId, result.tenantId));
    expect(segment).toMatchObject({ segmentName: `bh-t${cloudSeq}-1`, displayName: `t${cloudSeq}-1 VLAN 2`, state: "pending", tier1GatewayId: "TNT01-T1" });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.entityId, result.tenantId), eq(auditEvents.action, "tenant.onboard")));
    expect(audit?.after).toMatchObject({ slug: `t${cloudSeq}-1`, vlanId: 2, vni: 10_002 });
  });

  it.each([
    ["the private cloud's /22", "10.100.2.0/24", /management block/],
    ["an extended block, by a wider mask", "10.101.0.0/16", /extended block/],
    ["another tenant's subnet, by a narrower mask", "172.16.1.128/25", /tenant Tenant 1/],
    ["a reserved on-premises range", "192.168.200.0/24", /reserved range “on-premises DC”/],
    ["NSX-T's default transit subnets (CGNAT space)", "100.64.1.0/24", /NSX-T transit and CGNAT space \(100\.64\.0\.0\/10\)/],
    ["AVS's internal 172.17.0.0/16", "172.17.3.0/24", /AVS internal range \(172\.17\.0\.0\/16\)/],
  ])("refuses a subnet that overlaps %s, and writes nothing", async (_, subnet, message) => {
    const cloud = await createCloud(db);
    await db.insert(reservedPrefixes).values({ privateCloudId: cloud.id, cidr: "192.168.192.0/20", description: "on-premises DC" });
    expect(await onboardTenant(db, null, input(cloud.id, 1))).toMatchObject({ ok: true });
    const before = await counts(db, cloud.id);
    const result = await onboardTenant(db, null, input(cloud.id, 2, { subnet }));
    expect(result).toMatchObject({ ok: false, status: 400, errors: { subnet: [expect.stringMatching(message)] } });
    expect(await counts(db, cloud.id)).toEqual(before);
  });

  it("takes an operator's VLAN and VNI when free, and explains each refusal", async () => {
    const cloud = await createCloud(db);
    expect(await onboardTenant(db, null, input(cloud.id, 1, { vlan: "300", vni: "5000" }))).toMatchObject({ ok: true, vlanId: 300, vni: 5000 });
    expect(await onboardTenant(db, null, input(cloud.id, 2, { vlan: "300" }))).toMatchObject({
      ok: false,
      errors: { vlan: ["VLAN 300 is already allocated to Tenant 1. Pick another, or leave it to the next free one."] },
    });
    expect(await onboardTenant(db, null, input(cloud.id, 3, { vlan: "1003" }))).toMatchObject({ ok: false, errors: { vlan: [expect.stringMatching(/reserved/)] } });
    expect(await onboardTenant(db, null, input(cloud.id, 4, { vni: "5000" }))).toMatchObject({ ok: false, errors: { vni: [expect.stringMatching(/VNI 5000 is already used by Tenant 1/)] } });
    expect(await counts(db, cloud.id)).toEqual({ tenants: 1, segments: 1, allocations: 1 });
  });

  it("refuses a slug that is taken, and leaves no allocation behind", async () => {
    const cloud = await createCloud(db);
    const first = await onboardTenant(db, null, input(cloud.id, 1, { slug: `dup-${cloudSeq}` }));
    expect(first.ok).toBe(true);
    const second = await onboardTenant(db, null, input(cloud.id, 2, { slug: `dup-${cloudSeq}` }));
    expect(second).toMatchObject({ ok: false, status: 409, errors: { slug: [expect.stringMatching(/already used/)] } });
    expect(await counts(db, cloud.id)).toEqual({ tenants: 1, segments: 1, allocations: 1 });
  });

  it("gives 200 concurrent onboardings 200 distinct VLANs and VNIs", async () => {
    const cloud = await createCloud(db);
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => onboardTenant(db, null, input(cloud.id, n, { slug: `c${cloudSeq}-${n}` }))));
    const granted = results.filter((r) => r.ok);
    expect(granted).toHaveLength(200);
    expect(new Set(granted.map((r) => r.vlanId)).size).toBe(200);
    expect(new Set(granted.map((r) => r.vni)).size).toBe(200);
    expect(Math.max(...granted.map((r) => r.vlanId))).toBe(201);
  }, 120_000);

  it("lets the unique constraint decide when 200 allocations race outside any lock", async () => {
    const cloud = await createCloud(db, { ranges: [{ from: 2, to: 4094 }] });
    const [pool] = await db.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloud.id));
    const ids = await db
      .insert(tenants)
      .values(Array.from({ length: 200 }, (_, n) => ({ ...tenantRow(cloud.id, `race-${cloudSeq}-${n}`) })))
      .returning({ id: tenants.id });
    const grants = await Promise.all(ids.map(({ id }) => db.transaction((tx) => allocateVlan(tx, { poolId: pool!.id, tenantId: id, vlan: "next" }))));
    const vlans = grants.map((g) => (g.ok ? g.vlanId : -1));
    expect(vlans).not.toContain(-1);
    expect(new Set(vlans).size).toBe(200);
  }, 120_000);

  it("says clearly when the pool is exhausted, and writes nothing for the refused tenant", async () => {
    const cloud = await createCloud(db, { ranges: [{ from: 100, to: 102 }] });
    for (let n = 0; n < 3; n++) expect(await onboardTenant(db, null, input(cloud.id, n, { slug: `x${cloudSeq}-${n}` }))).toMatchObject({ ok: true });
    const refused = await onboardTenant(db, null, input(cloud.id, 3, { slug: `x${cloudSeq}-3` }));
    expect(refused).toMatchObject({
      ok: false,
      status: 409,
      errors: { vlan: [expect.stringMatching(/^No free VLAN left in this pool: all 3 assignable IDs are allocated or in quarantine\./)] },
    });
    expect(await counts(db, cloud.id)).toEqual({ tenants: 3, segments: 3, allocations: 3 });
  });

  it("offboarding quarantines the VLAN for the pool's period, then it can be handed out again", async () => {
    const cloud = await createCloud(db, { ranges: [{ from: 500, to: 501 }] });
    const onboarded = await onboardTenant(db, null, input(cloud.id, 1, { vlan: "500" }));
    if (!onboarded.ok) throw new Error(onboarded.message);
    const now = new Date("2026-11-21T12:00:00Z");
    const offboarded = await offboardTenant(db, null, onboarded.tenantId, now);
    expect(offboarded).toEqual({ ok: true, state: "offboarded", quarantinedUntil: new Date("2026-12-21T12:00:00Z") });
    expect(await offboardTenant(db, null, onboarded.tenantId, now)).toMatchObject({ ok: false, status: 409 });

    const during = await onboardTenant(db, null, input(cloud.id, 2, { vlan: "500" }), new Date("2026-12-01T00:00:00Z"));
    expect(during).toMatchObject({ ok: false, errors: { vlan: ["VLAN 500 is in quarantine until 2026-12-21 after Tenant 1 released it. Pick another, or leave it to the next free one."] } });
    const next = await onboardTenant(db, null, input(cloud.id, 3), new Date("2026-12-01T00:00:00Z"));
    expect(next).toMatchObject({ ok: true, vlanId: 501 });

    const after = await onboardTenant(db, null, input(cloud.id, 4, { vlan: "500" }), new Date("2026-12-22T00:00:00Z"));
    expect(after).toMatchObject({ ok: true, vlanId: 500 });
    const history = await db.select({ state: vlanAllocations.state }).from(vlanAllocations).where(eq(vlanAllocations.vlanId, 500));
    expect(history.map((h) => h.state).sort()).toEqual(["allocated", "released"]);
  });
});

function tenantRow(privateCloudId: string, slug: string) {
  return {
    slug,
    displayName: slug,
    privateCloudId,
    sourceEnvironment: "other" as const,
    transport: "ipsec-vpn" as const,
    subnet: "10.200.0.0/24",
    gatewayLocation: "source" as const,
    sourceGatewayUnderlayIp: "198.51.100.1",
  };
}

describe.skipIf(!postgresAvailable())("two app instances on one PostgreSQL", () => {
  it("never hand out the same VLAN", async () => {
    const database = await createPostgresDatabase();
    const [a, b] = await Promise.all([openDatabase({ kind: "postgres", url: database.url }), openDatabase({ kind: "postgres", url: database.url })]);
    try {
      const cloud = await createCloud(a.db);
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, n) => onboardTenant(n % 2 ? a.db : b.db, null, input(cloud.id, n, { slug: `i-${n}` }))),
      );
      const vlans = results.map((r) => (r.ok ? r.vlanId : -1));
      expect(vlans).not.toContain(-1);
      expect(new Set(vlans).size).toBe(120);
      const [dupes] = await a.db
        .select({ n: count() })
        .from(vlanAllocations)
        .where(ne(vlanAllocations.state, "released"));
      expect(dupes!.n).toBe(120);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  }, 120_000);
});
