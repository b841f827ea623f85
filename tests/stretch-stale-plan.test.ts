/**
 * Two operators on one stretch: one types a reason past the pre-checks of the plan on their page,
 * while the other changes the plan. The reason was written for the checks of the plan they saw;
 * it must not carry the cut-over of a plan they never saw past checks they never read.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import { planCutover } from "@/lib/commands/plan-cutover";
import { startCutover } from "@/lib/commands/start-cutover";
import type { Database } from "@/lib/db/client";
import { segments, tenants } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { stretchStepInput } from "@/lib/validation/stretch";
import { describeEachDatabase } from "./support/databases";

const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };

describeEachDatabase("a step past the pre-checks is for the plan the operator saw", ({ handle }) => {
  let db: Database;
  let tenantId: string;

  beforeAll(async () => {
    db = handle().db;
    await seedDemoData(db, { secretsKey: randomBytes(32) });
    tenantId = (await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso")))[0]!.id;
    await db.update(segments).set({ state: "ready" }).where(eq(segments.tenantId, tenantId));
  });

  const stage = async () => (await db.select({ stage: tenants.stretchStage, at: tenants.stretchStageChangedAt }).from(tenants).where(eq(tenants.id, tenantId)))[0]!;

  it("refuses a cut-over whose plan changed since the operator's page read it, and goes ahead on the plan as read", async () => {
    expect(await planCutover(db, ADMIN, { tenantId, gatewayAddress: "192.168.10.1", tier1Id: "TNT42-T1" }, new Date("2026-12-01T10:00:00Z"))).toEqual({ ok: true });
    const seen = (await stage()).at.toISOString();
    // The other operator moves the gateway to another address a moment later.
    expect(await planCutover(db, ADMIN, { tenantId, gatewayAddress: "192.168.10.254", tier1Id: "TNT42-T1" }, new Date("2026-12-01T10:01:00Z"))).toEqual({ ok: true });

    const stale = stretchStepInput.parse({ tenantId, reason: "The source router is released; the probe lags behind.", stageChangedAt: seen });
    const refused = await startCutover(db, ADMIN, stale);
    expect(refused).toMatchObject({ ok: false, status: 409, message: expect.stringContaining("changed since you loaded the page") });
    expect((await stage()).stage).toBe("cutover-planned");

    const fresh = stretchStepInput.parse({ tenantId, reason: "The source router is released; the probe lags behind.", stageChangedAt: (await stage()).at.toISOString() });
    expect(await startCutover(db, ADMIN, fresh)).toEqual({ ok: true });
    expect((await stage()).stage).toBe("cutting-over");
  });
});
