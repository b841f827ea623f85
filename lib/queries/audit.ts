import "server-only";
import { and, asc, count, desc, eq, gte, ilike, lt, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditEvents, tenants } from "@/lib/db/schema";
import { likeContaining } from "@/lib/domain/search-query";

export const AUDIT_PAGE_SIZE = 50;

/** Which events: one tenant's, one action, an actor whose name contains the text, a window [from, to). */
export type AuditFilter = { tenantId?: string; action?: string; actor?: string; from?: Date; to?: Date };

function auditWhere(filter: AuditFilter): SQL | undefined {
  return and(
    filter.tenantId ? eq(auditEvents.tenantId, filter.tenantId) : undefined,
    filter.action ? eq(auditEvents.action, filter.action) : undefined,
    filter.actor ? ilike(auditEvents.actor, likeContaining(filter.actor)) : undefined,
    filter.from ? gte(auditEvents.at, filter.from) : undefined,
    filter.to ? lt(auditEvents.at, filter.to) : undefined,
  );
}

export async function listAuditEvents(db: Database, options: AuditFilter & { page?: number; pageSize?: number } = {}) {
  const pageSize = options.pageSize ?? AUDIT_PAGE_SIZE;
  const page = options.page ?? 1;
  const where = auditWhere(options);
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
export async function listAuditEventsBefore(db: Database, options: AuditFilter & { beforeId: number | null; limit: number }) {
  const where = and(auditWhere(options), options.beforeId === null ? undefined : lt(auditEvents.id, options.beforeId));
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

/** Every action the trail holds, for the filter's choice list. */
export async function listAuditActions(db: Database): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(asc(auditEvents.action));
  return rows.map((row) => row.action);
}
