import Link from "next/link";
import { RowActionButton } from "@/components/forms/row-action-button";
import { StatusBadge } from "@/components/status-badge";
import type { ActionResult } from "@/lib/auth/guards";
import { CHANNEL_KIND, DELIVERY_STATUS } from "@/lib/domain/notifications";
import type { ChannelRow } from "@/lib/queries/notifications";
import { TestChannelButton } from "./test-channel-button";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

type IdAction = (input: { id: string }) => Promise<ActionResult<unknown>>;

/** Channels with their last delivery; Send test, the delivery log, Change and Delete for those who may. */
export function ChannelTable({ rows, logHref, actions }: { rows: ChannelRow[]; logHref: (id: string) => string; actions: { test: IdAction; remove: IdAction } | null }) {
  if (rows.length === 0) return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">No channels yet.</p>;
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <caption className="sr-only">Notification channels</caption>
      <thead className="bg-slate-100 text-left">
        <tr>
          <th scope="col" className="px-3 py-2">Channel</th>
          <th scope="col" className="px-3 py-2">Sends to</th>
          <th scope="col" className="px-3 py-2">Last delivery</th>
          {actions && (
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2">
              <div className="font-medium">{c.name}</div>
              <div className="text-xs text-slate-500">{CHANNEL_KIND[c.kind].label}</div>
            </td>
            <td className="px-3 py-2 break-all font-mono text-xs">{c.target}</td>
            <td className="space-y-1 px-3 py-2">
              {c.last ? (
                <>
                  <StatusBadge status={DELIVERY_STATUS[c.last.status]} /> <span className="text-xs text-slate-600">{dateTime.format(c.last.createdAt)} UTC</span>
                  {c.pending > 0 && <div className="text-xs text-amber-800">{c.pending} waiting to be delivered</div>}
                </>
              ) : (
                <span className="text-slate-500">none yet</span>
              )}
              <div className="flex gap-3">
                <Link href={logHref(c.id)} className="text-sm text-sky-800 underline" aria-label={`Delivery log of ${c.name}`}>
                  Delivery log
                </Link>
                {actions && (
                  <Link href={`${logHref(c.id)}#change`} className="text-sm text-sky-800 underline" aria-label={`Change ${c.name}`}>
                    Change
                  </Link>
                )}
              </div>
            </td>
            {actions && (
              <td className="px-3 py-2">
                <TestChannelButton action={actions.test} id={c.id} name={c.name} align="end">
                  <RowActionButton action={actions.remove} id={c.id} label="Delete" confirm={`Delete channel “${c.name}”, its rules and its delivery log?`} />
                </TestChannelButton>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
