/**
 * Warnings as the tenant page and the warnings page list them. Rows are plain JSON (ISO times),
 * since the tenant page's list is hydrated into the browser's query cache and refetched.
 *
 * "Active" means open or acknowledged: acknowledging says someone is on it, but the condition
 * still holds, so the warning stays listed until it resolves.
 */
import "server-only";
import { and, asc, count, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { tenants, tunnels, warnings } from "@/lib/db/schema";
import { WARNING_SEVERITIES, type WarningSeverity, type WarningState } from "@/lib/domain/status";
import { WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";
import type { WarningMute } from "./notifications";

export type WarningRow = {
  id: string;
  tenantId: string;
  tunnelId: string | null;
  tenantSlug: string;
  tenantName: string;
  /** Null for a tenant-wide warning (tromboning, single point of failure, cut-over). */
  tunnelName: string | null;
  kind: string;
  severity: WarningSeverity;
  state: WarningState;
  message: string;
  openedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** What keeps it out of notifications now (silences, maintenance, a down tunnel); set by attachMutes. */
  mutes?: WarningMute[];
};

const ACTIVE = ["open", "acknowledged"] as const;
/**
 * Worst first: critical, warning, info. The severity enum is declared in rank order (its values
 * come from WARNING_SEVERITY, whose order lib/domain/status.test.ts pins), and PostgreSQL sorts
 * an enum by declaration.
 */
export const worstSeverityFirst = desc(warnings.severity);

function selectWarningRows(db: Database) {
  return db
    .select({
      id: warnings.id,
      tenantId: warnings.tenantId,
      tunnelId: warnings.tunnelId,
      tenantSlug: tenants.slug,
      tenantName: tenants.displayName,
      tunnelName: tunnels.name,
      kind: warnings.kind,
      severity: warnings.severity,
      state: warnings.state,
      message: warnings.message,
      openedAt: warnings.openedAt,
      lastSeenAt: warnings.lastSeenAt,
      acknowledgedAt: warnings.acknowledgedAt,
      acknowledgedBy: warnings.acknowledgedBy,
      resolvedAt: warnings.resolvedAt,
      resolvedBy: warnings.resolvedBy,
    })
    .from(warnings)
    .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
    .leftJoin(tunnels, eq(tunnels.id, warnings.tunnelId));
}

type SelectedRow = Awaited<ReturnType<typeof selectWarningRows>>[number];

function toRow(row: SelectedRow): WarningRow {
  return {
    ...row,
    openedAt: row.openedAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

export type TenantWarnings = { active: WarningRow[]; past: WarningRow[] };

/** How many resolved warnings the tenant page shows: enough to see a pattern, not a history. */
export const PAST_WARNINGS_SHOWN = 20;

/**
 * One tenant's warnings: every active one (open before acknowledged, then worst first, then
 * oldest first) and the most recently resolved ones, newest first.
 */
export async function listTenantWarnings(db: Database, tenantId: string, options: { past?: number } = {}): Promise<TenantWarnings> {
  const [active, past] = await Promise.all([
    selectWarningRows(db)
      .where(and(eq(warnings.tenantId, tenantId), inArray(warnings.state, [...ACTIVE])))
      .orderBy(sql`${warnings.state} = 'acknowledged'`, worstSeverityFirst, asc(warnings.openedAt), asc(warnings.id)),
    selectWarningRows(db)
      .where(and(eq(warnings.tenantId, tenantId), eq(warnings.state, "resolved")))
      .orderBy(desc(warnings.resolvedAt), desc(warnings.id))
      .limit(options.past ?? PAST_WARNINGS_SHOWN),
  ]);
  return { active: active.map(toRow), past: past.map(toRow) };
}

export const WARNING_PAGE_SIZE = 50;
const KINDS = Object.keys(WARNING_KINDS) as [WarningKind, ...WarningKind[]];

/**
 * The warnings page's filters, from the URL. A bad value falls back to "any" rather than failing
 * the page, so an old bookmark still opens.
 */
export const warningListParams = z.object({
  severity: z.enum(WARNING_SEVERITIES as [WarningSeverity, ...WarningSeverity[]]).optional().catch(undefined),
  kind: z.enum(KINDS).optional().catch(undefined),
  tenant: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    .max(40)
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type WarningListParams = z.infer<typeof warningListParams>;

/**
 * Every active warning of tenants still in service, filtered, worst first, then oldest first
 * (the longest-standing critical problem on top), a page at a time.
 */
export async function listFleetWarnings(db: Database, params: WarningListParams, pageSize = WARNING_PAGE_SIZE) {
  const filters: (SQL | undefined)[] = [inArray(warnings.state, [...ACTIVE]), ne(tenants.state, "offboarded")];
  if (params.severity) filters.push(eq(warnings.severity, params.severity));
  if (params.kind) filters.push(eq(warnings.kind, params.kind));
  if (params.tenant) filters.push(eq(tenants.slug, params.tenant));
  const where = and(...filters);
  const [rows, [total]] = await Promise.all([
    selectWarningRows(db)
      .where(where)
      .orderBy(worstSeverityFirst, asc(warnings.openedAt), asc(warnings.id))
      .limit(pageSize)
      .offset((params.page - 1) * pageSize),
    db.select({ n: count() }).from(warnings).innerJoin(tenants, eq(tenants.id, warnings.tenantId)).where(where),
  ]);
  const n = total?.n ?? 0;
  return { rows: rows.map(toRow), total: n, pages: Math.max(1, Math.ceil(n / pageSize)) };
}

/** Tenants that have active warnings, for the tenant filter: a short list, not every tenant. */
export async function listTenantsWithWarnings(db: Database): Promise<{ slug: string; displayName: string; active: number }[]> {
  return db
    .select({ slug: tenants.slug, displayName: tenants.displayName, active: count() })
    .from(warnings)
    .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
    .where(and(inArray(warnings.state, [...ACTIVE]), ne(tenants.state, "offboarded")))
    .groupBy(tenants.slug, tenants.displayName)
    .orderBy(asc(tenants.displayName));
}
