import { randomBytes } from "node:crypto";
import { count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "@/lib/auth/tokens";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import { findOverlaps, parseCidr } from "@/lib/domain/cidr";
import { isScenario } from "@/lib/fleet/scenarios";
import { decryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import { DEMO_PRIVATE_CLOUD, DEMO_SCENARIOS, DEMO_TENANTS, seedDemoData } from "./seed";

const { memberships, segments, tenants, tunnelEndpoints, tunnels, vlanAllocations } = schema;
const secretsKey = new Uint8Array(randomBytes(32));
let handle: DatabaseHandle;
let db: Database;

beforeAll(async () => {
  handle = await openDatabase({ kind: "pglite", dataDir: null });
  db = handle.db;
});
afterAll(async () => handle?.close());

async function rowCounts() {
  const tables = { tenants, vlanAllocations, segments, memberships, tunnels, tunnelEndpoints, privateClouds: schema.privateClouds, vlanPools: schema.vlanPools };
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) counts[name] = (await db.select({ n: count() }).from(table))[0]!.n;
  return counts;
}

async function endpointsWithTenant() {
  return db
    .select({ slug: tenants.slug, ordinal: tunnels.ordinal, psk: tunnels.pskCiphertext, endpoint: tunnelEndpoints })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId));
}

describe("seedDemoData", () => {
  it("refuses to run without the secrets key, saying what to pass", async () => {
    await expect(seedDemoData(db, undefined as unknown as { secretsKey: Uint8Array })).rejects.toThrow(/secretsKey: getSecretsKey\(config\)/);
  });

  it("adds nothing the second time", async () => {
    await seedDemoData(db, { secretsKey });
    const first = await rowCounts();
    expect(first.tenants).toBe(DEMO_TENANTS.length);
    expect(first.tunnels).toBeGreaterThanOrEqual(10);
    expect(first.tunnelEndpoints).toBe(first.tunnels! * 2);
    const tokensBefore = (await endpointsWithTenant()).map((row) => row.endpoint.agentTokenHash).sort();
    await seedDemoData(db, { secretsKey });
    expect(await rowCounts()).toEqual(first);
    expect((await endpointsWithTenant()).map((row) => row.endpoint.agentTokenHash).sort()).toEqual(tokensBefore);
  });

  it("gives every tunnel end a token stored as a hash for lookups and as ciphertext that decrypts to it", async () => {
    const rows = await endpointsWithTenant();
    const tokens = new Set<string>();
    for (const { endpoint } of rows) {
      const token = await decryptSecret(endpoint.agentTokenCiphertext!, secretsKey, SECRET_PURPOSE.agentToken);
      expect(token).toMatch(/^agt_[\w-]{43}$/);
      expect(hashToken(token)).toBe(endpoint.agentTokenHash);
      tokens.add(token);
    }
    expect(tokens.size).toBe(rows.length);
  });

  it("gives IPsec tunnels a pre-shared key and the others none; trunk-fed gateways get a tagged LAN", async () => {
    for (const row of await endpointsWithTenant()) {
      const demo = DEMO_TENANTS.find((t) => t.slug === row.slug)!;
      if (demo.transport === "ipsec-vpn") expect(await decryptSecret(row.psk!, secretsKey, SECRET_PURPOSE.psk)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      else expect(row.psk).toBeNull();
      expect(row.endpoint.lanTagged).toBe(row.endpoint.side === "source" && demo.trunkFed);
    }
  });

  it("keeps Contoso and Fabrikam as the tests and personas know them", async () => {
    const rows = await db
      .select({ slug: tenants.slug, vlanId: vlanAllocations.vlanId, principal: memberships.principal })
      .from(tenants)
      .innerJoin(vlanAllocations, eq(vlanAllocations.tenantId, tenants.id))
      .leftJoin(memberships, eq(memberships.tenantId, tenants.id))
      .where(inArray(tenants.slug, ["contoso", "fabrikam"]));
    expect(rows.sort((a, b) => a.vlanId - b.vlanId)).toEqual([
      { slug: "contoso", vlanId: 110, principal: "alice@contoso.example" },
      { slug: "fabrikam", vlanId: 120, principal: "bob@fabrikam.example" },
    ]);
    expect(await db.select({ n: count() }).from(memberships)).toEqual([{ n: 2 }]);
  });

  it("uses distinct pool VLANs and subnets that overlap neither each other nor the private cloud's block, each with a scenario", () => {
    const vlans = DEMO_TENANTS.map((t) => t.vlanId);
    expect(new Set(vlans).size).toBe(vlans.length);
    expect(vlans.every((v) => v >= 100 && v <= 999)).toBe(true);
    DEMO_TENANTS.forEach((tenant, i) => {
      const parsed = parseCidr(tenant.subnet);
      if (!parsed.ok) throw new Error(`${tenant.slug}: ${parsed.error}`);
      const others = [{ cidr: DEMO_PRIVATE_CLOUD.networkBlock, label: "cloud" }, ...DEMO_TENANTS.filter((_, j) => j !== i).map((t) => ({ cidr: t.subnet, label: t.slug }))];
      expect(findOverlaps(parsed.cidr, others), tenant.slug).toEqual([]);
      expect(isScenario(DEMO_SCENARIOS[tenant.slug]), tenant.slug).toBe(true);
    });
  });

  it("gives older demo data the tokens and keys it lacks, but not an offboarded tenant's ends", async () => {
    const rows = await endpointsWithTenant();
    const contosoEnds = rows.filter((r) => r.slug === "contoso").map((r) => r.endpoint.id);
    const tailspinEnds = rows.filter((r) => r.slug === "tailspin").map((r) => r.endpoint.id);
    // As a release before encrypted tokens left them; Tailspin was offboarded meanwhile.
    await db.update(tunnelEndpoints).set({ agentTokenHash: null, agentTokenCiphertext: null }).where(inArray(tunnelEndpoints.id, [...contosoEnds, ...tailspinEnds]));
    const [contoso] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
    await db.update(tunnels).set({ pskCiphertext: null }).where(eq(tunnels.tenantId, contoso!.id));
    await db.update(tenants).set({ state: "offboarded" }).where(eq(tenants.slug, "tailspin"));
    const before = await rowCounts();

    await seedDemoData(db, { secretsKey });
    expect(await rowCounts()).toEqual(before);
    const after = await endpointsWithTenant();
    for (const row of after.filter((r) => r.slug === "contoso")) {
      const token = await decryptSecret(row.endpoint.agentTokenCiphertext!, secretsKey, SECRET_PURPOSE.agentToken);
      expect(hashToken(token)).toBe(row.endpoint.agentTokenHash);
      expect(row.psk).not.toBeNull();
    }
    expect(after.filter((r) => r.slug === "tailspin").every((r) => r.endpoint.agentTokenHash === null && r.endpoint.agentTokenCiphertext === null)).toBe(true);
  });
});
