import "server-only";
import { and, asc, count, desc, eq, gt, ilike, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { segments, tenants, tunnels, vlanAllocations } from "@/lib/db/schema";
import { SEGMENT_STATE, TUNNEL_STATUS } from "@/lib/domain/status";
import { selectTenantRows } from "./tenants";

export const TENANT_PAGE_SIZE = 25;
const SORTS = ["name", "vlan", "created", "cutover"] as const;

/** The list's state lives in the URL, so a view can be bookmarked and shared. Bad values fall back. */
export const tenantListParams = z.object({
  q: z.string().trim().max(100).catch("").default(""),
  state: z.enum(["onboarding", "active", "offboarding", "offboarded", "all"]).catch("all").default("all"),
  cloud: z.string().uuid().optional().catch(undefined),
  /** Tenants with at least one tunnel in this status (the overview's "tunnels by status" links). */
  tunnel: z.enum(Object.keys(TUNNEL_STATUS) as [keyof typeof TUNNEL_STATUS]).optional().catch(undefined),
  segment: z.enum(Object.keys(SEGMENT_STATE) as [keyof typeof SEGMENT_STATE]).optional().catch(undefined),
  /** "past": still stretched after the planned cut-over date. */
  cutover: z.enum(["past"]).optional().catch(undefined),
  sort: z.enum(SORTS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type TenantListParams = z.infer<typeof tenantListParams>;

/** The list's filters (not its sort or page): shared by the console's list and the API's. */
export type TenantFilters = Pick<TenantListParams, "q" | "state" | "cloud" | "tunnel" | "segment" | "cutover">;

function tenantFilters(params: TenantFilters): (SQL | undefined)[] {
  const filters: (SQL | undefined)[] = [];
  if (params.q) {
    // Escape LIKE's wildcards so a search for "100%" means exactly that.
    const pattern = `%${params.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(or(ilike(tenants.displayName, pattern), ilike(tenants.slug, pattern), ilike(tenants.subnet, pattern)));
  }
  if (params.state !== "all") filters.push(eq(tenants.state, params.state));
  if (params.cloud) filters.push(eq(tenants.privateCloudId, params.cloud));
  if (params.tunnel) {
    filters.push(sql`exists (select 1 from ${tunnels} where ${tunnels.tenantId} = ${tenants.id} and ${tunnels.status} = ${params.tunnel})`);
  }
  if (params.segment) {
    filters.push(sql`exists (select 1 from ${segments} where ${segments.tenantId} = ${tenants.id} and ${segments.state} = ${params.segment})`);
  }
  if (params.cutover === "past") {
    filters.push(sql`${tenants.plannedCutoverOn} < current_date and ${tenants.state} in ('onboarding', 'active')`);
  }
  return filters;
}

export async function listTenants(db: Database, params: TenantListParams) {
  const where = and(...tenantFilters(params));

  const order = params.dir === "asc" ? asc : desc;
  const sortColumn = {
    name: tenants.displayName,
    vlan: vlanAllocations.vlanId,
    created: tenants.createdAt,
    cutover: tenants.plannedCutoverOn,
  }[params.sort];

  const [rows, [total]] = await Promise.all([
    selectTenantRows(db)
      .where(where)
      .orderBy(sql`${order(sortColumn)} nulls last`, asc(tenants.slug))
      .limit(TENANT_PAGE_SIZE)
      .offset((params.page - 1) * TENANT_PAGE_SIZE),
    db.select({ n: count() }).from(tenants).where(where),
  ]);
  return { rows, total: total?.n ?? 0, pages: Math.max(1, Math.ceil((total?.n ?? 0) / TENANT_PAGE_SIZE)) };
}

/**
 * The API's list: the same filters, in slug order, a page after the cursor's slug. Keyset, not
 * offset: a tenant onboarded while a script pages through neither shifts nor repeats a row.
 */
export async function listTenantsAfter(db: Database, filters: TenantFilters, page: { afterSlug: string | null; limit: number }) {
  const where = and(...tenantFilters(filters), page.afterSlug === null ? undefined : gt(tenants.slug, page.afterSlug));
  const rows = await selectTenantRows(db).where(where).orderBy(asc(tenants.slug)).limit(page.limit + 1);
  return { rows: rows.slice(0, page.limit), more: rows.length > page.limit };
}
