import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { listTenantChoices } from "@/lib/queries/access";
import { listAuditActions, listAuditEvents } from "@/lib/queries/audit";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { auditFilterSearch, readAuditPageFilter } from "@/lib/validation/audit";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const pageParam = z.coerce.number().int().min(1).max(100_000).catch(1).default(1);

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { db } = await requirePageAccess("portal:read");
  const params = await searchParams;
  const page = pageParam.parse(Array.isArray(params.page) ? params.page[0] : params.page);
  const { filter, typed, errors } = readAuditPageFilter(params);
  let tenantId: string | undefined;
  if (filter.tenant) {
    tenantId = (await findTenantIdBySlug(filter.tenant, db)) ?? undefined;
    if (!tenantId) errors.tenant = [`No tenant has the slug “${filter.tenant}”.`];
  }
  // An unknown or malformed tenant must not widen the list to every tenant: show nothing rather
  // than too much (a malformed one is not in `filter`, so ask what was typed).
  const unknownTenant = Boolean(typed.tenant && !tenantId);
  const [{ rows, total, pages }, actions, tenants] = await Promise.all([
    unknownTenant ? { rows: [], total: 0, pages: 1 } : listAuditEvents(db, { ...filter, tenantId, page }),
    listAuditActions(db),
    listTenantChoices(db),
  ]);
  const pageHref = (n: number) => `/admin/audit?${auditFilterSearch(typed, { page: String(n) })}`;
  const filtered = Object.values(typed).some(Boolean);
  return (
    <div className="space-y-6">
      <div className="flex items-baseline gap-4">
        <h1 className="text-2xl font-bold tracking-tight">Audit trail</h1>
        <span role="status" className="text-sm text-slate-600">
          {total} {filtered ? "matching " : ""}event{total === 1 ? "" : "s"}
        </span>
      </div>
      <AuditFilters typed={typed} errors={errors} actions={actions} tenants={tenants} />
      <AuditTable rows={rows} showTenant audience="operator" empty={filtered ? "No events match these filters." : undefined} />
      <nav aria-label="Pages" className="flex gap-3 text-sm">
        {page > 1 && <Link href={pageHref(page - 1)} className="text-sky-800 underline">Newer</Link>}
        <span>
          Page {page} of {pages}
        </span>
        {page < pages && <Link href={pageHref(page + 1)} className="text-sky-800 underline">Older</Link>}
      </nav>
    </div>
  );
}
