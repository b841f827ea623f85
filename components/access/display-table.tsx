import { IssueLinkButton } from "@/components/access/issue-link-button";
import { RowActionButton } from "@/components/forms/row-action-button";
import { endDisplaySessions } from "@/lib/actions/noc/end-display-sessions";
import { revokeDisplay } from "@/lib/actions/noc/revoke-display";
import type { listDisplays } from "@/lib/queries/access";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

type Display = Awaited<ReturnType<typeof listDisplays>>[number];

/** Each wall display: its one-time link's state, the screens signed in with it, and what an admin may do. */
export function DisplayTable({ displays, canChange }: { displays: Display[]; canChange: boolean }) {
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className="px-3 py-2">Display</th>
          <th className="px-3 py-2">Link</th>
          <th className="px-3 py-2">Sessions</th>
          <th className="px-3 py-2">State</th>
          {canChange && <th className="px-3 py-2"><span className="sr-only">Actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {displays.map((d) => (
          <tr key={d.id} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2">
              {d.name}
              <span className="block text-xs text-slate-500">created {dateTime.format(d.createdAt)} by {d.createdBy}</span>
            </td>
            <td className="px-3 py-2">
              {d.revokedAt ? "—" : d.linkUsedAt ? `Used ${dateTime.format(d.linkUsedAt)} UTC` : "Not used yet"}
              <span className="block text-xs text-slate-500">issued {dateTime.format(d.linkIssuedAt)} by {d.linkIssuedBy}</span>
            </td>
            <td className="px-3 py-2">
              {d.sessions.length === 0 ? (
                "none"
              ) : (
                <ul aria-label={`Sessions of ${d.name}`}>
                  {d.sessions.map((s) => (
                    <li key={s.id}>
                      since {dateTime.format(s.createdAt)}, last seen {dateTime.format(s.lastSeenAt)} UTC
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td className="px-3 py-2">{d.revokedAt ? `Revoked ${dateTime.format(d.revokedAt)} UTC` : "Active"}</td>
            {canChange && (
              <td className="space-y-1 px-3 py-2 text-right">
                {!d.revokedAt && <IssueLinkButton displayId={d.id} displayName={d.name} />}
                {d.sessions.length > 0 && (
                  <RowActionButton action={endDisplaySessions} id={d.id} label="End sessions" confirm={`Sign “${d.name}” out on every screen?`} />
                )}
                {!d.revokedAt && <RowActionButton action={revokeDisplay} id={d.id} label="Revoke" confirm={`Revoke display “${d.name}”?`} />}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
