import { expect, it } from "vitest";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import { privateClouds } from "@/lib/db/schema";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { describeEachDatabase } from "@/tests/support/databases";
import { listTenants, tenantListParams } from "./tenant-list";

describeEachDatabase("tenant list", ({ handle }) => {
  it("pages, filters, sorts and searches, treating % and _ literally", async () => {
    const { db } = handle();
    const [cloud] = await db
      .insert(privateClouds)
      .values({ azureResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/list", subscriptionId: "s", resourceGroup: "rg", name: "list", region: "westeurope", networkBlock: "10.100.0.0/22" })
      .returning();
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) {
      const result = await onboardTenant(
        db,
        null,
        onboardTenantInput.parse({
          privateCloudId: cloud!.id,
          slug: `list-${String(n).padStart(2, "0")}`,
          displayName: n === 7 ? "Growth & Co" : `Tenant ${String(n).padStart(2, "0")}`,
          contacts: [{ name: "A", email: "a@example.com" }],
          sourceEnvironment: "other",
          transport: "ipsec-vpn",
          subnet: `172.20.${n}.0/24`,
          gatewayLocation: "source",
          sourceGatewayUnderlayIp: "198.51.100.1",
        }),
      );
      if (!result.ok) throw new Error(result.message);
      ids.push(result.tenantId);
    }
    await offboardTenant(db, null, ids[3]!);

    const first = await listTenants(db, tenantListParams.parse({}));
    expect(first).toMatchObject({ total: 30, pages: 2 });
    expect(first.rows).toHaveLength(25);
    const second = await listTenants(db, tenantListParams.parse({ page: "2" }));
    expect(second.rows).toHaveLength(5);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(30);

    expect((await listTenants(db, tenantListParams.parse({ q: "growth &" }))).rows.map((r) => r.displayName)).toEqual(["Growth & Co"]);
    // LIKE's wildcards are searched for literally, not matched against everything.
    expect((await listTenants(db, tenantListParams.parse({ q: "%" }))).total).toBe(0);
    expect((await listTenants(db, tenantListParams.parse({ q: "_" }))).total).toBe(0);
    expect((await listTenants(db, tenantListParams.parse({ q: "172.20.29." }))).rows.map((r) => r.slug)).toEqual(["list-29"]);

    const offboarded = await listTenants(db, tenantListParams.parse({ state: "offboarded" }));
    expect(offboarded.rows.map((r) => r.slug)).toEqual(["list-03"]);
    expect(offboarded.rows[0]).toMatchObject({ vlanState: "quarantined" });

    const byVlan = await listTenants(db, tenantListParams.parse({ sort: "vlan", dir: "desc" }));
    const vlans = byVlan.rows.map((r) => r.vlanId!);
    expect(vlans).toEqual([...vlans].sort((a, b) => b - a));

    // Bad URL values fall back instead of failing the page.
    expect(tenantListParams.parse({ sort: "drop table", page: "-4", state: "nope", cloud: "x" })).toEqual({ q: "", state: "all", sort: "name", dir: "asc", page: 1 });
  }, 60_000);
});
