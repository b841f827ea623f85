import type { Metadata } from "next";
import Link from "next/link";
import { WarningFilters, warningsHref } from "@/components/warnings/warning-filters";
import { WarningTable } from "@/components/warnings/warning-table";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { hasPermission } from "@/lib/auth/permissions";
import { listFleetWarnings, listTenantsWithWarnings, warningListParams } from "@/lib/queries/warnings";
import { attachMutes } from "@/lib/queries/notifications";

export const metadata: Metadata = { title: "Warnings" };
export const dynamic = "force-dynamic";

/** Every open warning in the fleet, filterable by severity, kind and tenant; operators acknowledge in bulk. */
export default async function WarningsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { db, principal } = await requirePageAccess("portal:read");
  const params = warningListParams.parse(await searchParams);
  const [{ rows: listed, total, pages }, tenants] = await Promise.all([listFleetWarnings(db, params), listTenantsWithWarnings(db)]);
  const rows = await attachMutes(db, listed, { includeOperatorSilences: true, now: new Date() });
  return (
    <div className="space-y-6">
      <div className="flex items-baseline gap-4">
        <h1 className="text-2xl font-bold tracking-tight">Warnings</h1>
        <span className="text-sm text-slate-500">
          {total} open or acknowledged{params.severity || params.kind || params.tenant ? " matching these filters" : ""}
        </span>
      </div>
      <WarningFilters params={params} tenants={tenants} />
      <WarningTable rows={rows} canAcknowledge={hasPermission(principal, "fleet:write")} />
      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
          {params.page > 1 && (
            <Link href={warningsHref(params, { page: params.page - 1 })} className="text-sky-800 underline">
              Previous
            </Link>
          )}
          <span>
            Page {params.page} of {pages}
          </span>
          {params.page < pages && (
            <Link href={warningsHref(params, { page: params.page + 1 })} className="text-sky-800 underline">
              Next
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
