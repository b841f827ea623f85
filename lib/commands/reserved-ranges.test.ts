import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { privateClouds } from "@/lib/db/schema";
import { checkSubnetAddressSpace, listReservedSpace } from "@/lib/queries/address-space";
import { reservedRangeInput } from "@/lib/validation/reserved-range";
import { describeEachDatabase } from "@/tests/support/databases";
import { onboardTenant } from "./onboard-tenant";
import { addReservedRange, removeReservedRange } from "./reserved-ranges";

const admin: Principal = { kind: "user", userId: randomUUID(), signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };

async function createCloud(db: Database, name: string) {
  const [cloud] = await db
    .insert(privateClouds)
    .values({ azureResourceId: `/subscriptions/s/privateClouds/${randomUUID()}`, subscriptionId: "s", resourceGroup: "rg", name, region: "westeurope", networkBlock: "10.100.0.0/22" })
    .returning();
  return cloud!;
}

function onboarding(cloudId: string, slug: string, subnet: string) {
  return {
    privateCloudId: cloudId,
    slug,
    displayName: slug,
    contacts: [{ name: "Ada", email: "ada@example.com" }],
    sourceEnvironment: "bare-metal" as const,
    transport: "ipsec-vpn" as const,
    encapsulation: "vxlan" as const,
    subnet,
    gatewayLocation: "source" as const,
    underlayMtu: 1500,
    sourceGatewayUnderlayIp: "198.51.100.7",
    latencyObjectiveMs: 20,
    plannedCutoverOn: null,
    vlan: "next" as const,
  };
}

const add = (db: Database, input: Record<string, string>) => addReservedRange(db, admin, reservedRangeInput.parse(input));

describeEachDatabase("reserved ranges", ({ handle }) => {
  let db: Database;
  beforeAll(() => {
    db = handle().db;
  });

  it("a range an admin reserves for one cloud refuses onboarding there with its reason, and not in another cloud", async () => {
    const [west, north] = [await createCloud(db, `west-${randomUUID()}`), await createCloud(db, `north-${randomUUID()}`)];
    expect(await add(db, { scope: west.id, cidr: "10.60.0.0/16", reason: "Hub VNet" })).toMatchObject({ ok: true, coveredTenants: [] });
    expect(await onboardTenant(db, admin, onboarding(west.id, `w-${Date.now()}`, "10.60.4.0/24") as never)).toMatchObject({
      ok: false,
      errors: { subnet: [expect.stringMatching(/overlaps reserved range “Hub VNet” \(10\.60\.0\.0\/16\)/)] },
    });
    expect(await onboardTenant(db, admin, onboarding(north.id, `n-${Date.now()}`, "10.60.4.0/24") as never)).toMatchObject({ ok: true });
  });

  it("a range reserved for every cloud applies to each; removing it frees the space again", async () => {
    const cloud = await createCloud(db, `east-${randomUUID()}`);
    const added = await add(db, { scope: "all", cidr: "10.70.0.0/16", reason: "Partner network" });
    if (!added.ok) throw new Error(added.message);
    expect(await checkSubnetAddressSpace(db, cloud, "10.70.1.0/24")).toEqual([{ cidr: "10.70.0.0/16", label: "reserved range “Partner network”", kind: "admin" }]);
    const listed = (await listReservedSpace(db, [cloud]))[0]!;
    expect(listed.reserved.map((r) => r.cidr)).toEqual(expect.arrayContaining(["10.100.0.0/22", "100.64.0.0/10", "10.70.0.0/16"]));
    expect(await removeReservedRange(db, admin, added.id)).toEqual({ ok: true, cidr: "10.70.0.0/16" });
    expect(await checkSubnetAddressSpace(db, cloud, "10.70.1.0/24")).toEqual([]);
    expect(await removeReservedRange(db, admin, added.id)).toMatchObject({ ok: false, status: 404 });
  });

  it("refuses the same range twice in one scope, naming the first reason", async () => {
    const cloud = await createCloud(db, `south-${randomUUID()}`);
    expect(await add(db, { scope: cloud.id, cidr: "10.80.0.0/16", reason: "Lab" })).toMatchObject({ ok: true });
    expect(await add(db, { scope: cloud.id, cidr: "10.80.0.0/16", reason: "Lab again" })).toMatchObject({
      ok: false,
      status: 409,
      errors: { cidr: ["10.80.0.0/16 is already reserved here (“Lab”)."] },
    });
  });

  it("records a range over a live tenant, names the tenant, and the tenant's pre-cut-over check then flags it", async () => {
    const cloud = await createCloud(db, `central-${randomUUID()}`);
    const onboarded = await onboardTenant(db, admin, onboarding(cloud.id, `c-${Date.now()}`, "10.90.1.0/24") as never);
    if (!onboarded.ok) throw new Error(onboarded.message);
    // Before: the tenant's own subnet is clear (it is not compared with itself).
    expect(await checkSubnetAddressSpace(db, cloud, "10.90.1.0/24", { exceptTenantId: onboarded.tenantId })).toEqual([]);
    expect(await add(db, { scope: cloud.id, cidr: "10.90.0.0/16", reason: "Branch office" })).toMatchObject({
      ok: true,
      coveredTenants: [{ name: onboarded.slug, subnet: "10.90.1.0/24" }],
    });
    expect(await checkSubnetAddressSpace(db, cloud, "10.90.1.0/24", { exceptTenantId: onboarded.tenantId })).toEqual([
      { cidr: "10.90.0.0/16", label: "reserved range “Branch office”", kind: "admin" },
    ]);
  });
});

it("refuses an input that is not a network, too wide, or without a usable reason, saying what to fix", () => {
  const errors = (input: Record<string, string>) => {
    const parsed = reservedRangeInput.safeParse(input);
    return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  expect(errors({ scope: "all", cidr: "10.50.1.0/16", reason: "LAN" })).toEqual(["cidr: 10.50.1.0/16 has host bits set; did you mean 10.50.0.0/16?"]);
  expect(errors({ scope: "all", cidr: "0.0.0.0/0", reason: "Everything" })).toEqual(["cidr: 0.0.0.0/0 would reserve almost everything; reserve /8 or narrower."]);
  expect(errors({ scope: "all", cidr: "10.50.0.0/16", reason: "<script>" })).toEqual(["reason: Use letters, digits, spaces and . , : ; / ( ) & ' + # _ - only."]);
  expect(errors({ scope: "somewhere", cidr: "10.50.0.0/16", reason: "LAN" })).toEqual(["scope: Choose every private cloud, or one."]);
  expect(reservedRangeInput.parse({ scope: "all", cidr: " 2001:DB8:5::/48 ", reason: " Lab v6 " })).toEqual({ scope: "all", cidr: "2001:db8:5::/48", reason: "Lab v6" });
});
