import { RowActionButton } from "@/components/forms/row-action-button";
import type { ActionResult } from "@/lib/auth/guards";
import { WARNING_SEVERITIES, WARNING_SEVERITY, type WarningSeverity } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import type { listRoutes } from "@/lib/queries/notifications";

type Row = Awaited<ReturnType<typeof listRoutes>>[number];

/** "Warning and worse"; the worst severity has nothing worse, so "Critical only". */
function severityRange(min: WarningSeverity): string {
  return min === WARNING_SEVERITIES.at(-1) ? `${WARNING_SEVERITY[min].label} only` : `${WARNING_SEVERITY[min].label} and worse`;
}

export function RouteTable({ rows, remove, showTenant }: { rows: Row[]; remove: ((input: { id: string }) => Promise<ActionResult<unknown>>) | null; showTenant: boolean }) {
  if (rows.length === 0) return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">No rules yet: nothing is sent.</p>;
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <caption className="sr-only">Routing rules</caption>
      <thead className="bg-slate-100 text-left">
        <tr>
          <th scope="col" className="px-3 py-2">Warnings</th>
          {showTenant && <th scope="col" className="px-3 py-2">Tenant</th>}
          <th scope="col" className="px-3 py-2">Go to</th>
          <th scope="col" className="px-3 py-2">Timing</th>
          {remove && (
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2">
              {severityRange(r.minSeverity)}
              <div className="text-xs text-slate-600">{r.kinds.length ? r.kinds.map(warningKindLabel).join(", ") : "every kind"}</div>
            </td>
            {showTenant && <td className="px-3 py-2">{r.matchTenant ?? "every tenant"}</td>}
            <td className="px-3 py-2">{r.channelName}</td>
            <td className="px-3 py-2 text-xs text-slate-700">
              gather {r.groupWaitSeconds} s · repeat every {r.repeatIntervalMinutes} min · {r.sendResolved ? "says resolved" : "no resolved message"}
            </td>
            {remove && (
              <td className="px-3 py-2 text-right">
                <RowActionButton action={remove} id={r.id} label="Delete" confirm="Delete this rule?" />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
