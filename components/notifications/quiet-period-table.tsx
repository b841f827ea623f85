import { RowActionButton } from "@/components/forms/row-action-button";
import type { ActionResult } from "@/lib/auth/guards";
import { warningKindLabel } from "@/lib/domain/warning-kinds";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export type QuietPeriodRow = {
  id: string;
  tenant: string | null;
  tunnel: string | null;
  kind?: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  endedBy: string | null;
};

/** Silences or maintenance windows: what, when, who and why; running ones can be ended early. */
export function QuietPeriodTable({
  rows,
  now,
  end,
  caption,
}: {
  rows: QuietPeriodRow[];
  now: Date;
  end: ((input: { id: string }) => Promise<ActionResult<unknown>>) | null;
  caption: string;
}) {
  if (rows.length === 0) return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">None running or planned.</p>;
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="bg-slate-100 text-left">
        <tr>
          <th scope="col" className="px-3 py-2">Covers</th>
          <th scope="col" className="px-3 py-2">When (UTC)</th>
          <th scope="col" className="px-3 py-2">Why</th>
          <th scope="col" className="px-3 py-2">State</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const state = r.endsAt <= now ? (r.endedBy ? `Ended early by ${r.endedBy}` : "Over") : r.startsAt > now ? "Planned" : "Running";
          return (
            <tr key={r.id} className="border-t border-slate-200 align-top">
              <td className="px-3 py-2">
                {[r.tenant ?? "any tenant", r.tunnel ? `tunnel ${r.tunnel}` : null, r.kind ? warningKindLabel(r.kind) : null].filter(Boolean).join(" · ")}
              </td>
              <td className="px-3 py-2 text-xs">
                {dateTime.format(r.startsAt)} → {dateTime.format(r.endsAt)}
              </td>
              <td className="px-3 py-2">
                {r.reason}
                <div className="text-xs text-slate-500">by {r.createdBy}</div>
              </td>
              <td className="px-3 py-2">
                {state}
                {end && r.endsAt > now && (
                  <div className="mt-1">
                    <RowActionButton action={end} id={r.id} label="End now" confirm="End it now? Warnings it hides may notify at once." />
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
