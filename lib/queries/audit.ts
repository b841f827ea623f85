import "server-only";
import { and, count, desc, eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditEvents, tenants } from "@/lib/db/schema";

export const AUDIT_PAGE_SIZE = 50;

export async function listAuditEvents(db: Database, options: { tenantId?: string; page?: number; pageSize?: number } = {}) {
  const pageSize = options.pageSize ?? AUDIT_PAGE_SIZE;
  const page = options.page ?? 1;
  const where = options.tenantId ? eq(auditEvents.tenantId, options.tenantId) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: auditEvents.id,
        at: auditEvents.at,
        actor: auditEvents.actor,
        action: auditEvents.action,
        entityType: auditEvents.entityType,
        entityId: auditEvents.entityId,
        tenant: tenants.displayName,
        tenantSlug: tenants.slug,
        before: auditEvents.before,
        after: auditEvents.after,
      })
      .from(auditEvents)
      .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
      .where(where)
      .orderBy(desc(auditEvents.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(auditEvents).where(where),
  ]);
  return { rows, total: total?.n ?? 0, pages: Math.max(1, Math.ceil((total?.n ?? 0) / pageSize)) };
}

/** The API's audit list: newest first, a page before the cursor's id (keyset, stable while events arrive). */
export async function listAuditEventsBefore(db: Database, options: { tenantId?: string; action?: string; beforeId: number | null; limit: number }) {
  const where = and(
    options.tenantId ? eq(auditEvents.tenantId, options.tenantId) : undefined,
    options.action ? eq(auditEvents.action, options.action) : undefined,
    options.beforeId === null ? undefined : lt(auditEvents.id, options.beforeId),
  );
  const rows = await db
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      actor: auditEvents.actor,
      action: auditEvents.action,
      entityType: auditEvents.entityType,
      entityId: auditEvents.entityId,
      tenantSlug: tenants.slug,
      before: auditEvents.before,
      after: auditEvents.after,
    })
    .from(auditEvents)
    .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), more: rows.length > options.limit };
}
