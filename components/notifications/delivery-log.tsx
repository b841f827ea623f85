import { StatusBadge } from "@/components/status-badge";
import { DELIVERY_EVENT, DELIVERY_STATUS } from "@/lib/domain/notifications";
import type { listDeliveries } from "@/lib/queries/notifications";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

type Row = Awaited<ReturnType<typeof listDeliveries>>[number];

/** A channel's deliveries, newest first: when, what, how it stands, the receiver's answer, every attempt. */
export function DeliveryLog({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">Nothing sent through this channel yet.</p>;
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <caption className="sr-only">Delivery log, newest first</caption>
      <thead className="bg-slate-100 text-left">
        <tr>
          <th scope="col" className="px-3 py-2">Made (UTC)</th>
          <th scope="col" className="px-3 py-2">Notification</th>
          <th scope="col" className="px-3 py-2">Status</th>
          <th scope="col" className="px-3 py-2">Attempts</th>
          <th scope="col" className="px-3 py-2">Receiver&apos;s answer</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.id} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2 text-xs whitespace-nowrap tabular-nums">{dateTime.format(d.createdAt)}</td>
            <td className="px-3 py-2">
              <div className="text-xs font-medium text-slate-500">{DELIVERY_EVENT[d.event].label}</div>
              {d.title}
            </td>
            <td className="px-3 py-2">
              <StatusBadge status={DELIVERY_STATUS[d.status]} />
              {d.status === "pending" && d.attempts > 0 && <div className="mt-1 text-xs text-slate-600">next try {dateTime.format(d.nextAttemptAt)}</div>}
              {d.reason && <div className="mt-1 max-w-xs text-xs text-red-800">{d.reason}</div>}
            </td>
            <td className="px-3 py-2 tabular-nums">{d.attempts}</td>
            <td className="px-3 py-2">
              <span className="break-all font-mono text-xs">{d.lastAnswer ?? "—"}</span>
              {d.tries.length > 1 && (
                <details className="mt-1">
                  <summary className="cursor-pointer text-xs text-sky-800">every attempt</summary>
                  <ol className="mt-1 space-y-0.5 text-xs">
                    {d.tries.map((t) => (
                      <li key={t.id} className="font-mono">
                        {dateTime.format(t.at)} · {t.outcome} · {t.durationMs} ms · {t.answer}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
