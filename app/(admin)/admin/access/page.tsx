import type { Metadata } from "next";
import { DisplayForm } from "@/components/access/display-form";
import { DisplayTable } from "@/components/access/display-table";
import { SignedInUsers } from "@/components/access/signed-in-users";
import { MembershipForm } from "@/components/access/membership-form";
import { RowActionButton } from "@/components/forms/row-action-button";
import { removeMembership } from "@/lib/actions/access/remove-membership";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";
import { listDisplays, listMemberships, listSignedInUsers, listTenantChoices } from "@/lib/queries/access";

export const metadata: Metadata = { title: "Access" };
export const dynamic = "force-dynamic";

export default async function AccessPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const config = readConfig();
  const [members, displays, tenantChoices, people] = await Promise.all([
    listMemberships(db),
    listDisplays(db),
    listTenantChoices(db),
    listSignedInUsers(db, { idleMs: config.sessionIdleMinutes * 60_000 }),
  ]);
  const canChange = isAdmin(principal);
  return (
    <div className="space-y-10">
      <section aria-labelledby="members-heading" className="space-y-4">
        <h1 id="members-heading" className="text-2xl font-bold tracking-tight">
          Tenant members
        </h1>
        <p className="max-w-3xl text-sm text-slate-600">
          A customer&apos;s users see their one tenant. Operators get their roles (Bridgehead.Admin,
          Bridgehead.NocViewer) from the identity provider, not from here.
        </p>
        <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2">Tenant</th>
              <th className="px-3 py-2">User</th>
              <th className="px-3 py-2">Role</th>
              {canChange && <th className="px-3 py-2"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id} className="border-t border-slate-200">
                <td className="px-3 py-2">{m.tenantName}</td>
                <td className="px-3 py-2 font-mono">{m.principal}</td>
                <td className="px-3 py-2">{m.role === "tenant-admin" ? "Tenant admin" : "Tenant viewer"}</td>
                {canChange && (
                  <td className="px-3 py-2 text-right">
                    <RowActionButton action={removeMembership} id={m.id} label="Remove" confirm={`Remove ${m.principal}'s access?`} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {canChange && <MembershipForm tenants={tenantChoices} />}
      </section>

      <SignedInUsers people={people} canChange={canChange} idleMinutes={config.sessionIdleMinutes} />

      <section aria-labelledby="displays-heading" className="space-y-4">
        <h2 id="displays-heading" className="text-xl font-bold tracking-tight">
          NOC displays
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">
          A display link signs one wall screen in, read-only, without a person, and works once: a second open is refused
          and says whom to ask. Issue a new link to sign in another screen; revoking the display ends its sessions at
          their next refresh.
        </p>
        <DisplayTable displays={displays} canChange={canChange} />
        {canChange && <DisplayForm />}
      </section>
    </div>
  );
}
