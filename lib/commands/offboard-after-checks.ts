/**
 * Offboarding as an operator asks for it: the tenant's slug typed to confirm, and the same kind
 * of pre-checks as the stretch's steps (no tunnel still attached, no traffic lately, no workload
 * left on the segment), past which only a reason lets it go. Then offboardTenant does the rest.
 */
import "server-only";
import { eq } from "drizzle-orm";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import { runStretchChecks } from "@/lib/queries/stretch";
import { checkRecord, gate } from "@/lib/stretch/checks/checklists";
import type { CheckResult } from "@/lib/stretch/checks/types";
import type { OffboardInput } from "@/lib/validation/stretch";
import type { CommandRefusal } from "./result";
import { offboardTenant, type OffboardResult } from "./offboard-tenant";

export async function offboardAfterChecks(db: Database, actor: Principal | null, input: OffboardInput, now = new Date()): Promise<OffboardResult | (CommandRefusal & { checks?: CheckResult[] })> {
  const [tenant] = await db.select({ slug: tenants.slug, state: tenants.state, displayName: tenants.displayName }).from(tenants).where(eq(tenants.id, input.id));
  if (!tenant) return { ok: false, status: 404, message: "No such tenant." };
  if (tenant.state === "offboarding" || tenant.state === "offboarded") return { ok: false, status: 409, message: `${tenant.displayName} is already ${tenant.state}.` };
  if (input.confirmSlug !== tenant.slug) {
    return { ok: false, status: 400, message: "Some fields need attention.", errors: { confirmSlug: [`Type ${tenant.slug} to confirm: offboarding deletes the segment and frees the VLAN.`] } };
  }
  const checks = (await runStretchChecks(db, input.id, "offboard", now))!;
  const decision = gate(checks, input.reason, "offboarding");
  if (!decision.ok) return { ok: false, status: 409, message: decision.message, checks };
  return offboardTenant(db, actor, input.id, now, {
    checks: checks.map(checkRecord),
    overridden: decision.overridden.map(checkRecord),
    reason: decision.overridden.length > 0 ? input.reason! : null,
  });
}
