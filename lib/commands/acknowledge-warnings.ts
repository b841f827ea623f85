/**
 * Acknowledging says "someone is on it": the warning stays listed (and still resolves by itself
 * when its condition clears) but stops asking for attention. Only open warnings can be
 * acknowledged; the first acknowledgement's who and when are kept.
 */
import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { actorName } from "@/lib/audit";
import type { Database } from "@/lib/db/client";
import { warnings } from "@/lib/db/schema";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";

export async function acknowledgeWarnings(
  db: Database,
  actor: Principal,
  ids: string[],
  options: { tenantId?: string; now?: Date } = {},
): Promise<{ acknowledged: number; alreadyHandled: number }> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const scope = options.tenantId ? and(inArray(warnings.id, ids), eq(warnings.tenantId, options.tenantId)) : inArray(warnings.id, ids);
    const rows = await tx
      .update(warnings)
      .set({ state: "acknowledged", acknowledgedAt: now, acknowledgedBy: actorName(actor) })
      .where(and(scope, eq(warnings.state, "open")))
      .returning({ id: warnings.id, tenantId: warnings.tenantId, kind: warnings.kind, severity: warnings.severity });
    // An acknowledged warning stops repeating in notifications; its groups are told in this transaction.
    await enqueueWarningNotifications(tx, rows.map((row) => ({ op: "acknowledge" as const, id: row.id, at: now })));
    for (const row of rows) {
      await recordAudit(tx, actor, {
        action: "warning.acknowledge",
        entityType: "warning",
        entityId: row.id,
        tenantId: row.tenantId,
        after: { kind: row.kind, severity: row.severity },
      });
    }
    return { acknowledged: rows.length, alreadyHandled: ids.length - rows.length };
  });
}

export async function findTenantIdByWarning(id: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ tenantId: warnings.tenantId }).from(warnings).where(eq(warnings.id, id));
  return row?.tenantId ?? null;
}
