/**
 * The header's search box, through its route as the browser calls it: an address inside a
 * tenant's subnet finds the tenant, a MAC in any switch spelling finds where the agents saw it,
 * and a tenant's own user (or token) never gets another tenant's row, whatever they type.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as search } from "@/app/api/search/route";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import type { SearchResults } from "@/lib/queries/search";
import { fleetTenant } from "./support/fleet-rows";
import { callApi, makeApiToken } from "./support/api-client";
import { callRoute, type Persona } from "./support/personas";

let db: Database;
const CONTOSO_MAC = "00:50:56:0a:0b:0c";
const FABRIKAM_MAC = "00:50:56:fa:b0:01";
let fabrikamGateway: { hostname: string; underlayIp: string };

beforeAll(async () => {
  const { useTestApp } = await import("./support/personas");
  db = await useTestApp();
  const endpointOf = async (slug: string) =>
    (
      await db
        .select({ id: tunnelEndpoints.id, hostname: tunnelEndpoints.hostname, underlayIp: tunnelEndpoints.underlayIp })
        .from(tunnelEndpoints)
        .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
        .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
        .where(eq(tenants.slug, slug))
        .orderBy(tunnelEndpoints.side)
    )[0]!;
  const contoso = await endpointOf("contoso");
  const fabrikam = await endpointOf("fabrikam");
  fabrikamGateway = fabrikam;
  const report = (mac: string) => ({ local: [mac, "02:00:00:00:00:01"], tunnel: [], truncated: false, gatewayProbe: null });
  await db.update(tunnelEndpoints).set({ macReport: report(CONTOSO_MAC), macReportedAt: new Date() }).where(eq(tunnelEndpoints.id, contoso.id));
  await db.update(tunnelEndpoints).set({ macReport: { ...report(FABRIKAM_MAC), tunnel: [CONTOSO_MAC] }, macReportedAt: new Date() }).where(eq(tunnelEndpoints.id, fabrikam.id));
  // An IPv6 tenant beside the demo's IPv4 ones.
  const [contosoRow] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
  await db.insert(tenants).values({ ...fleetTenant(contosoRow!.privateCloudId, 1, { slug: "v6corp", displayName: "V6 Corp" }), subnet: "2001:db8:10::/48" });
});

async function searchAs(as: Persona, q: string): Promise<SearchResults> {
  const response = await callRoute(search as never, { as, path: `/api/search?q=${encodeURIComponent(q)}` });
  expect(response.status).toBe(200);
  return (await response.json()) as SearchResults;
}

/** Every tenant page a result links to: the proof of whose rows came back. */
function tenantsLinked(results: SearchResults): string[] {
  return [...new Set(results.groups.flatMap((g) => g.hits.map((h) => h.href.match(/^\/t\/([^/#]+)/)![1]!)))].sort();
}

function kindsOf(results: SearchResults): string[] {
  return results.groups.map((g) => g.kind);
}

describe("GET /api/search as an operator", () => {
  it("finds the tenant whose subnet holds an IPv4 host, and says why", async () => {
    const results = await searchAs("admin", "192.168.10.57");
    expect(kindsOf(results)).toEqual(["network"]);
    expect(results.groups[0]!.hits).toEqual([
      expect.objectContaining({ title: "Contoso Manufacturing", href: "/t/contoso", detail: expect.stringContaining("192.168.10.57 is in 192.168.10.0/24") }),
    ]);
    expect(tenantsLinked(await searchAs("admin", "192.168.11.1"))).toEqual([]);
  });

  it("finds an IPv6 host inside a /48, in any spelling, and nothing just outside it", async () => {
    expect(tenantsLinked(await searchAs("noc", "2001:db8:10:ffff::1"))).toEqual(["v6corp"]);
    expect(tenantsLinked(await searchAs("noc", "2001:0DB8:0010:0:0:0:0:7"))).toEqual(["v6corp"]);
    expect(tenantsLinked(await searchAs("noc", "2001:db8:11::1"))).toEqual([]);
  });

  it("finds a tenant by name, slug, VLAN and VNI", async () => {
    expect(tenantsLinked(await searchAs("admin", "contoso manu"))).toEqual(["contoso"]);
    expect(tenantsLinked(await searchAs("admin", "FABRIK"))).toEqual(["fabrikam"]);
    const byVlan = await searchAs("admin", "110");
    expect(byVlan.groups.find((g) => g.kind === "network")!.hits.map((h) => h.href)).toEqual(["/t/contoso"]);
    expect(tenantsLinked(await searchAs("admin", "10110"))).toEqual(["contoso"]);
  });

  it("finds a gateway by host name and by underlay address, linking to its tunnel", async () => {
    const byHost = await searchAs("admin", fabrikamGateway.hostname);
    const gateways = byHost.groups.find((g) => g.kind === "gateway")!.hits;
    expect(gateways[0]).toMatchObject({ title: fabrikamGateway.hostname, href: expect.stringMatching(/^\/t\/fabrikam#tunnel-[0-9a-f-]+-heading$/) });
    const byAddress = await searchAs("admin", fabrikamGateway.underlayIp);
    expect(byAddress.groups.find((g) => g.kind === "gateway")!.hits.map((h) => h.title)).toContain(fabrikamGateway.hostname);
  });

  it("finds a reported MAC in colon, dash, Cisco and bare forms, on every end that saw it", async () => {
    for (const spelling of ["00:50:56:0a:0b:0c", "00-50-56-0A-0B-0C", "0050.560a.0b0c", "0050560A0B0C"]) {
      const results = await searchAs("admin", spelling);
      const macs = results.groups.find((g) => g.kind === "mac")!.hits;
      expect(macs.map((h) => h.href.match(/^\/t\/(\w+)/)![1]).sort(), spelling).toEqual(["contoso", "fabrikam"]);
      expect(macs.find((h) => h.href.startsWith("/t/contoso"))!.detail).toContain("own ports");
      expect(macs.find((h) => h.href.startsWith("/t/fabrikam"))!.detail).toContain("through the tunnel");
    }
    // Exact, not a prefix: one digit off finds nothing.
    expect(await searchAs("admin", "00:50:56:0a:0b:0d")).toMatchObject({ groups: [] });
  });

  it("treats LIKE wildcards as characters, so % does not list the fleet", async () => {
    expect((await searchAs("admin", "%%")).groups).toEqual([]);
    expect((await searchAs("admin", "__")).groups).toEqual([]);
  });
});

describe("GET /api/search keeps tenants apart", () => {
  it("finds a tenant user's own tenant by its address", async () => {
    expect(tenantsLinked(await searchAs("alice", "192.168.10.57"))).toEqual(["contoso"]);
  });

  it("gives a tenant user nothing of another tenant, however it is asked", async () => {
    for (const q of ["172.20.0.5", "fabrikam", "Fabrikam Retail", "120", fabrikamGateway.hostname, fabrikamGateway.underlayIp, FABRIKAM_MAC, "2001:db8:10::1", "v6corp", "172.20.0.0/16"]) {
      expect(await searchAs("alice", q), `alice searching ${q}`).toMatchObject({ groups: [] });
    }
    // The MAC both ends saw: alice learns only of her own end.
    expect(tenantsLinked(await searchAs("alice", CONTOSO_MAC))).toEqual(["contoso"]);
    expect(tenantsLinked(await searchAs("bob", CONTOSO_MAC))).toEqual(["fabrikam"]);
    expect(await searchAs("bob", "192.168.10.57")).toMatchObject({ groups: [] });
  });

  it("limits a tenant's API token to its tenant, and lets a fleet token search the fleet", async () => {
    const tenantToken = (await makeApiToken({ name: "fabrikam-search", scope: "read", tenantSlug: "fabrikam" })).token;
    const fleetToken = (await makeApiToken({ name: "fleet-search", scope: "read" })).token;
    const ask = async (token: string, q: string) => (await (await callApi(search, { token, path: `/api/search?q=${encodeURIComponent(q)}` })).json()) as SearchResults;
    expect(tenantsLinked(await ask(tenantToken, "192.168.10.57"))).toEqual([]);
    expect(tenantsLinked(await ask(tenantToken, "172.20.0.5"))).toEqual(["fabrikam"]);
    expect(tenantsLinked(await ask(fleetToken, "192.168.10.57"))).toEqual(["contoso"]);
  });

  it("refuses the signed-out and wall displays, and names a bad query", async () => {
    expect((await callRoute(search as never, { as: "anonymous", path: "/api/search?q=contoso" })).status).toBe(401);
    expect((await callRoute(search as never, { as: "display", path: "/api/search?q=contoso" })).status).toBe(403);
    const missing = await callRoute(search as never, { as: "admin", path: "/api/search" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: Record<string, string[]> }).errors.q).toEqual(["Send the text to look for as ?q=."]);
    expect((await callRoute(search as never, { as: "admin", path: `/api/search?q=${"x".repeat(201)}` })).status).toBe(400);
  });
});
