import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import { tenantVersion } from "@/lib/domain/tenant-version";
import type { EditTenantInput } from "@/lib/validation/tenant";
import type { CommandRefusal } from "./result";
import { ensureTunnelPsks } from "./tunnels";

export type EditResult = { ok: true } | CommandRefusal;

/** Changes what may change after onboarding; the audit event records each field before and after. */
export async function editTenant(
  db: Database,
  actor: Principal | null,
  input: EditTenantInput,
  /** ifVersion: refuse unless the tenant is still at this version (an API caller's If-Match). */
  options: { secretsKey: Uint8Array; now?: Date; ifVersion?: string },
): Promise<EditResult> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, input.id)).for("update");
    if (!tenant) return { ok: false as const, status: 404 as const, message: "No such tenant." };
    if (options.ifVersion !== undefined && options.ifVersion !== tenantVersion(tenant)) {
      return { ok: false as const, status: 409 as const, reason: "stale" as const, message: "The tenant changed since you read it: GET it again, re-apply your change and send the new ETag in If-Match." };
    }
    if (tenant.state === "offboarded" || tenant.state === "offboarding") {
      return { ok: false as const, status: 409 as const, message: `${tenant.displayName} is ${tenant.state}; its record is kept as history and no longer changes.` };
    }
    const { id, ...changes } = input;
    const next = { ...changes, plannedCutoverOn: changes.plannedCutoverOn ?? null };
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(next)) {
      const old = tenant[field as keyof typeof tenant];
      if (JSON.stringify(old) !== JSON.stringify(value)) {
        before[field] = old;
        after[field] = value;
      }
    }
    if (Object.keys(after).length === 0) return { ok: true as const };
    await tx.update(tenants).set({ ...next, updatedAt: now }).where(eq(tenants.id, id));
    // Moving onto an IPsec VPN: the tunnels' configs need a pre-shared key from now on.
    if (next.transport === "ipsec-vpn") await ensureTunnelPsks(tx, id, options.secretsKey);
    await recordAudit(tx, actor, { action: "tenant.edit", entityType: "tenant", entityId: id, tenantId: id, before, after });
    return { ok: true as const };
  });
}
