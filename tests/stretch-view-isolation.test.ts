/**
 * The stretch's pre-checks are shown to the tenant's own users (the tenant page and
 * GET /api/v1/tenants/{slug}/stretch). The Tier-1 overlap check's evidence names what the subnet
 * overlaps, other tenants included: those names are for the operators, never for another tenant.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { getStretchView, stretchAudienceOf } from "@/lib/queries/stretch";
import { describeEachDatabase } from "./support/databases";

describeEachDatabase("the stretch view keeps other tenants out of a tenant's pre-checks", ({ handle }) => {
  let db: Database;
  let contoso: string;

  beforeAll(async () => {
    db = handle().db;
    await seedDemoData(db, { secretsKey: randomBytes(32) });
    const rows = await db.select({ id: tenants.id, slug: tenants.slug }).from(tenants);
    contoso = rows.find((r) => r.slug === "contoso")!.id;
    // An overlap from before the onboarding check held (an import, an older console): Fabrikam's
    // subnet covers Contoso's. Contoso has planned its cut-over, so the overlap check runs.
    await db.update(tenants).set({ subnet: "192.168.0.0/16" }).where(eq(tenants.slug, "fabrikam"));
    await db
      .update(tenants)
      .set({ stretchStage: "cutover-planned", cutoverGatewayAddress: "192.168.10.1/24", cutoverTier1Id: "TNT42-T1" })
      .where(eq(tenants.id, contoso));
  });

  const overlapCheck = async (audience: "fleet" | "tenant") => {
    const view = await getStretchView(db, contoso, new Date(), { audience });
    return view!.checklists["cut-over"]!.find((c) => c.id === "tier1-overlap")!;
  };

  it("operators see which tenant the subnet overlaps", async () => {
    const check = await overlapCheck("fleet");
    expect(check.outcome).toBe("fail");
    expect(JSON.stringify(check)).toContain("Fabrikam Health");
  });

  it("the tenant's own users see that it overlaps another tenant, not which one", async () => {
    const check = await overlapCheck("tenant");
    expect(check.outcome).toBe("fail");
    expect(JSON.stringify(check)).not.toContain("Fabrikam");
    expect(check.evidence).toEqual(["192.168.0.0/16: another tenant."]);
  });

  it("the page and the API read as the tenant for the tenant's own users and tokens, as the fleet for operators", () => {
    const user = { kind: "user" as const, userId: "u", signInName: "u@example.com", name: "U", roles: [] };
    expect(stretchAudienceOf({ ...user, tenant: { id: contoso, slug: "contoso", role: "tenant-admin" } })).toBe("tenant");
    expect(stretchAudienceOf({ kind: "token", source: "api-token", tokenId: "t", name: "ci", scope: "read", tenantId: contoso })).toBe("tenant");
    expect(stretchAudienceOf({ ...user, roles: ["admin"], tenant: null })).toBe("fleet");
    expect(stretchAudienceOf({ kind: "token", source: "api-token", tokenId: "t", name: "ci", scope: "read", tenantId: null })).toBe("fleet");
  });
});
