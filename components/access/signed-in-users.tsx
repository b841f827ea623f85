import { RowActionButton } from "@/components/forms/row-action-button";
import { endUserSessions } from "@/lib/actions/access/end-user-sessions";
import type { listSignedInUsers } from "@/lib/queries/access";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

type SignedInUser = Awaited<ReturnType<typeof listSignedInUsers>>[number];

/** Everyone with a live session, and the admin's way to sign one of them out everywhere. */
export function SignedInUsers({ people, canChange, idleMinutes }: { people: SignedInUser[]; canChange: boolean; idleMinutes: number }) {
  return (
    <section aria-labelledby="sessions-heading" className="space-y-4">
      <h2 id="sessions-heading" className="text-xl font-bold tracking-tight">
        Signed-in people
      </h2>
      <p className="max-w-3xl text-sm text-slate-600">
        A session lasts at most 8 hours and ends after {idleMinutes} minutes without a request, at sign-out, or when its
        membership is removed. Ending a person&apos;s sessions signs them out on every browser at their next request.
      </p>
      {people.length === 0 ? (
        <p className="text-sm">Nobody is signed in.</p>
      ) : (
        <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2">User</th>
              <th className="px-3 py-2">Sessions</th>
              <th className="px-3 py-2">Signed in since</th>
              <th className="px-3 py-2">Last seen</th>
              {canChange && <th className="px-3 py-2"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.userId} className="border-t border-slate-200">
                <td className="px-3 py-2">
                  <span className="font-mono">{p.signInName}</span>
                  <span className="block text-xs text-slate-500">{p.displayName}</span>
                </td>
                <td className="px-3 py-2">{p.sessions}</td>
                <td className="px-3 py-2">{dateTime.format(p.firstSignedInAt)} UTC</td>
                <td className="px-3 py-2">{dateTime.format(p.lastSeenAt)} UTC</td>
                {canChange && (
                  <td className="px-3 py-2 text-right">
                    <RowActionButton action={endUserSessions} id={p.userId} label="End sessions" confirm={`Sign ${p.signInName} out everywhere?`} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
