import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { AuditTable } from "@/components/audit/audit-table";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { listAuditEvents } from "@/lib/queries/audit";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const params = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { db } = await requirePageAccess("portal:read");
  const { page } = params.parse(await searchParams);
  const { rows, total, pages } = await listAuditEvents(db, { page });
  return (
    <div className="space-y-6">
      <div className="flex items-baseline gap-4">
        <h1 className="text-2xl font-bold tracking-tight">Audit trail</h1>
        <span className="text-sm text-slate-500">{total} events</span>
      </div>
      <AuditTable rows={rows} showTenant />
      <nav aria-label="Pages" className="flex gap-3 text-sm">
        {page > 1 && <Link href={`/admin/audit?page=${page - 1}`} className="text-sky-800 underline">Newer</Link>}
        <span>
          Page {page} of {pages}
        </span>
        {page < pages && <Link href={`/admin/audit?page=${page + 1}`} className="text-sky-800 underline">Older</Link>}
      </nav>
    </div>
  );
}
