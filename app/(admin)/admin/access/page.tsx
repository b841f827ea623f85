import type { Metadata } from "next";
import { DisplayForm } from "@/components/access/display-form";
import { MembershipForm } from "@/components/access/membership-form";
import { RowActionButton } from "@/components/forms/row-action-button";
import { removeMembership } from "@/lib/actions/access/remove-membership";
import { revokeDisplay } from "@/lib/actions/noc/revoke-display";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { listDisplays, listMemberships, listTenantChoices } from "@/lib/queries/access";

export const metadata: Metadata = { title: "Access" };
export const dynamic = "force-dynamic";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function AccessPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const [members, displays, tenantChoices] = await Promise.all([listMemberships(db), listDisplays(db), listTenantChoices(db)]);
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

      <section aria-labelledby="displays-heading" className="space-y-4">
        <h2 id="displays-heading" className="text-xl font-bold tracking-tight">
          NOC displays
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">
          A display link signs a wall screen in, read-only, without a person. Revoking it ends its session at the
          screen&apos;s next refresh.
        </p>
        <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2">Display</th>
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Last seen</th>
              <th className="px-3 py-2">State</th>
              {canChange && <th className="px-3 py-2"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {displays.map((d) => (
              <tr key={d.id} className="border-t border-slate-200">
                <td className="px-3 py-2">{d.name}</td>
                <td className="px-3 py-2">{dateTime.format(d.createdAt)} by {d.createdBy}</td>
                <td className="px-3 py-2">{d.lastSeenAt ? dateTime.format(d.lastSeenAt) : "never"}</td>
                <td className="px-3 py-2">{d.revokedAt ? `Revoked ${dateTime.format(d.revokedAt)}` : "Active"}</td>
                {canChange && (
                  <td className="px-3 py-2 text-right">
                    {!d.revokedAt && (
                      <RowActionButton action={revokeDisplay} id={d.id} label="Revoke" confirm={`Revoke display “${d.name}”?`} />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {canChange && <DisplayForm />}
      </section>
    </div>
  );
}
