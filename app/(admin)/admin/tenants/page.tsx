import type { Metadata } from "next";
import Link from "next/link";
import { TenantFilters } from "@/components/tenants/tenant-filters";
import { hrefWith, TenantTable } from "@/components/tenants/tenant-table";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { listPrivateClouds } from "@/lib/queries/clouds";
import { listTenants, tenantListParams } from "@/lib/queries/tenant-list";

export const metadata: Metadata = { title: "Tenants" };
export const dynamic = "force-dynamic";

export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { db, principal } = await requirePageAccess("portal:read");
  const params = tenantListParams.parse(await searchParams);
  const [{ rows, total, pages }, clouds] = await Promise.all([listTenants(db, params), listPrivateClouds(db)]);
  return (
    <div className="space-y-6">
      <div className="flex items-center gap-4">
        <h1 className="text-2xl font-bold tracking-tight">Tenants</h1>
        <span className="text-sm text-slate-500">{total} in all</span>
        {isAdmin(principal) && (
          <>
            <Link href="/admin/tenants/import" className="ml-auto rounded-md border border-sky-700 px-4 py-2 text-sm font-medium text-sky-800 hover:bg-sky-50">
              Import from CSV
            </Link>
            <Link href="/admin/tenants/new" className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
              Onboard a tenant
            </Link>
          </>
        )}
      </div>
      <TenantFilters params={params} clouds={clouds} />
      <TenantTable rows={rows} params={params} />
      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
          {params.page > 1 && <Link href={hrefWith(params, { page: params.page - 1 })} className="text-sky-800 underline">Previous</Link>}
          <span>
            Page {params.page} of {pages}
          </span>
          {params.page < pages && <Link href={hrefWith(params, { page: params.page + 1 })} className="text-sky-800 underline">Next</Link>}
        </nav>
      )}
    </div>
  );
}
