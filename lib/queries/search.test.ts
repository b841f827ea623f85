/**
 * The search's SQL on both databases the console runs on: the inet/cidr casts and operators and
 * the jsonb containment behave the same on PGlite and PostgreSQL, and the scope is applied in
 * every statement.
 */
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { searchFleet, type SearchResults } from "./search";

const slugs = (results: SearchResults, kind: string) =>
  (results.groups.find((g) => g.kind === kind)?.hits ?? []).map((h) => h.href.match(/^\/t\/([^#/]+)/)![1]);

describeEachDatabase("searchFleet", ({ handle }) => {
  let db: Database;
  let v4: TestTunnel;
  let v6: TestTunnel;
  let v4Slug: string;
  let v6Slug: string;

  beforeAll(async () => {
    db = handle().db;
    const made = await createTunnels(db, 2);
    v4 = made[0]!;
    v6 = made[1]!;
    await db.update(tenants).set({ subnet: "2001:db8:77::/48" }).where(eq(tenants.id, v6.tenantId));
    const slugOf = async (id: string) => (await db.select({ slug: tenants.slug }).from(tenants).where(eq(tenants.id, id)))[0]!.slug;
    v4Slug = await slugOf(v4.tenantId);
    v6Slug = await slugOf(v6.tenantId);
    await db.update(tunnelEndpoints).set({ hostname: "edge-v6", underlayIp: "2001:db8:ffff::10" }).where(eq(tunnelEndpoints.id, v6.avs));
    await db
      .update(tunnelEndpoints)
      .set({ macReport: { local: ["00:50:56:aa:bb:cc"], tunnel: [], truncated: false, gatewayProbe: { address: "10.0.0.1", answeredBy: ["00:50:56:00:00:01"] } } })
      .where(eq(tunnelEndpoints.id, v4.source));
  });

  it("finds a host inside an IPv4 /24 and an IPv6 /48, not beside them", async () => {
    // createTunnels gives tenant 0 the subnet 10.0.0.0/24.
    expect(slugs(await searchFleet(db, "10.0.0.200", { kind: "fleet" }), "network")).toEqual([v4Slug]);
    expect(slugs(await searchFleet(db, "10.0.1.1", { kind: "fleet" }), "network")).toEqual([]);
    expect(slugs(await searchFleet(db, "2001:db8:77:1::5", { kind: "fleet" }), "network")).toEqual([v6Slug]);
    expect(slugs(await searchFleet(db, "2001:db8:78::5", { kind: "fleet" }), "network")).toEqual([]);
  });

  it("finds subnets a typed network overlaps, either way round", async () => {
    expect(slugs(await searchFleet(db, "10.0.0.0/8", { kind: "fleet" }), "network")).toEqual([v4Slug]);
    expect(slugs(await searchFleet(db, "10.0.0.128/25", { kind: "fleet" }), "network")).toEqual([v4Slug]);
    expect(slugs(await searchFleet(db, "2001:db8::/32", { kind: "fleet" }), "network")).toEqual([v6Slug]);
  });

  it("finds a gateway by an IPv6 underlay address in another spelling", async () => {
    expect(slugs(await searchFleet(db, "2001:DB8:FFFF:0:0:0:0:10", { kind: "fleet" }), "gateway")).toEqual([v6Slug]);
  });

  it("finds a MAC in a bridge's list and among those answering the gateway probe", async () => {
    expect(slugs(await searchFleet(db, "0050.56aa.bbcc", { kind: "fleet" }), "mac")).toEqual([v4Slug]);
    const probe = await searchFleet(db, "00-50-56-00-00-01", { kind: "fleet" });
    expect(probe.groups.find((g) => g.kind === "mac")!.hits[0]!.detail).toContain("answers for the gateway address");
  });

  it("returns nothing of another tenant to a tenant's scope, in any kind", async () => {
    const scope = { kind: "tenant", tenantId: v6.tenantId } as const;
    for (const q of ["10.0.0.200", "10.0.0.0/8", "0050.56aa.bbcc", "198.51.100.10", "Tenant 0", "gw"]) {
      const results = await searchFleet(db, q, scope);
      expect(results.groups.flatMap((g) => g.hits.map((h) => h.href)).filter((href) => !href.startsWith(`/t/${v6Slug}`)), q).toEqual([]);
    }
    expect(slugs(await searchFleet(db, "2001:db8:77::9", scope), "network")).toEqual([v6Slug]);
  });
});
