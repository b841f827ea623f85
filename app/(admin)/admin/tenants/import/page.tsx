import type { Metadata } from "next";
import { TenantImportForm } from "@/components/tenants/tenant-import-form";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { BULK_COLUMNS, MAX_BULK_ROWS } from "@/lib/domain/bulk-rows";
import { listPrivateClouds } from "@/lib/queries/clouds";

export const metadata: Metadata = { title: "Import tenants" };
export const dynamic = "force-dynamic";

export default async function ImportTenantsPage() {
  const { db } = await requirePageAccess("fleet:write");
  const clouds = await listPrivateClouds(db);
  return (
    <div className="max-w-5xl space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Import tenants</h1>
      <p className="text-sm text-slate-600">
        Onboard up to {MAX_BULK_ROWS} tenants from a CSV, each checked exactly as the onboarding form checks one. Start
        with a dry run: it shows the VLAN each row would get and everything wrong with the others, and writes nothing.
      </p>
      <p className="text-sm text-slate-600">
        Columns (header row, any order; empty cells take the form&apos;s defaults):{" "}
        <code className="break-words text-xs">{BULK_COLUMNS.join(",")}</code>
      </p>
      {clouds.length === 0 ? <p role="alert">No private cloud is known yet. Connect the console to Azure first.</p> : <TenantImportForm clouds={clouds} />}
    </div>
  );
}
