import Link from "next/link";
import { auditSubjectLabel, auditSubjectLink } from "@/lib/domain/audit-links";
import type { listAuditEvents } from "@/lib/queries/audit";

type Rows = Awaited<ReturnType<typeof listAuditEvents>>["rows"];

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** Before and after as compact JSON: an operator reading the trail wants the exact values. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  if (before == null && after == null) return <span className="text-slate-400">—</span>;
  return (
    <details>
      <summary className="cursor-pointer text-sky-800">details</summary>
      <dl className="mt-1 space-y-1 font-mono text-xs">
        {before != null && (
          <div>
            <dt className="text-slate-500">before</dt>
            <dd className="break-all">{JSON.stringify(before)}</dd>
          </div>
        )}
        {after != null && (
          <div>
            <dt className="text-slate-500">after</dt>
            <dd className="break-all">{JSON.stringify(after)}</dd>
          </div>
        )}
      </dl>
    </details>
  );
}

/** What the event changed, linked to where it lives (a tenant's users get links into their tenant only). */
function Subject({ row, audience }: { row: Rows[number]; audience: "operator" | "tenant" }) {
  const link = auditSubjectLink(row, audience);
  if (!link) return <span>{auditSubjectLabel(row.entityType)}</span>;
  return (
    <Link href={link.href} className="text-sky-800 hover:underline">
      {link.label}
    </Link>
  );
}

export function AuditTable({ rows, showTenant, audience, empty = "No changes recorded yet." }: { rows: Rows; showTenant: boolean; audience: "operator" | "tenant"; empty?: string }) {
  if (rows.length === 0) return <p className="text-slate-600">{empty}</p>;
  return (
    <table className="w-full border-collapse rounded-lg bg-white text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th scope="col" className="px-3 py-2">When (UTC)</th>
          <th scope="col" className="px-3 py-2">Who</th>
          <th scope="col" className="px-3 py-2">What</th>
          <th scope="col" className="px-3 py-2">Changed</th>
          {showTenant && <th scope="col" className="px-3 py-2">Tenant</th>}
          <th scope="col" className="px-3 py-2">Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} className="border-t border-slate-200 align-top">
            <td className="whitespace-nowrap px-3 py-2 tabular-nums">{time.format(row.at)}</td>
            <td className="px-3 py-2">{row.actor}</td>
            <td className="px-3 py-2 font-mono">{row.action}</td>
            <td className="px-3 py-2">
              <Subject row={row} audience={audience} />
            </td>
            {showTenant && (
              <td className="px-3 py-2">
                {row.tenantSlug ? (
                  <Link href={`/t/${row.tenantSlug}`} className="text-sky-800 hover:underline">
                    {row.tenant}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
            )}
            <td className="px-3 py-2">
              <Change before={row.before} after={row.after} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
