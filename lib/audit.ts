import "server-only";
import type { Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import type { Principal } from "@/lib/auth/permissions";

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string;
  tenantId?: string | null;
  before?: unknown;
  after?: unknown;
};

/** Who did it, as the audit trail names them: a user's sign-in name, a display's or an API token's name, an Entra app's client id, or "system". */
export function actorName(principal: Principal | null): string {
  if (!principal) return "system";
  if (principal.kind === "token") return principal.source === "entra-app" ? `app:${principal.name}` : `token:${principal.name}`;
  return principal.kind === "user" ? principal.signInName : `display:${principal.name}`;
}

/** Pass the transaction that makes the change, so the change and its record commit together. */
export async function recordAudit(db: Database, principal: Principal | null, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    actor: actorName(principal),
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    tenantId: entry.tenantId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}
