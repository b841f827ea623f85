import { RowActionButton } from "@/components/forms/row-action-button";
import { revokeApiToken } from "@/lib/actions/api-tokens/revoke-api-token";
import type { ApiTokenRow } from "@/lib/queries/api-tokens";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function stateOf(token: ApiTokenRow, now: Date): string {
  if (token.revokedAt) return `Revoked ${dateTime.format(token.revokedAt)} UTC by ${token.revokedBy}`;
  if (token.expiresAt <= now) return `Expired ${dateTime.format(token.expiresAt)} UTC`;
  return `Active until ${dateTime.format(token.expiresAt)} UTC`;
}

/** Every API token: what it reaches, when it was last used, and whether it still works. */
export function ApiTokenTable({ tokens, canChange, now }: { tokens: ApiTokenRow[]; canChange: boolean; now: Date }) {
  if (tokens.length === 0) return <p className="text-sm text-slate-600">No API tokens yet.</p>;
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className="px-3 py-2">Token</th>
          <th className="px-3 py-2">Scope</th>
          <th className="px-3 py-2">Last used</th>
          <th className="px-3 py-2">State</th>
          {canChange && <th className="px-3 py-2"><span className="sr-only">Actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2 font-mono">
              {t.name}
              <span className="block font-sans text-xs text-slate-500">
                created {dateTime.format(t.createdAt)} by {t.createdBy}
              </span>
            </td>
            <td className="px-3 py-2">
              {t.scope === "write" ? "Write" : "Read"}, {t.tenantSlug ? `tenant ${t.tenantSlug} only` : "every tenant"}
            </td>
            <td className="px-3 py-2">{t.lastUsedAt ? `${dateTime.format(t.lastUsedAt)} UTC` : "Never"}</td>
            <td className="px-3 py-2">{stateOf(t, now)}</td>
            {canChange && (
              <td className="px-3 py-2 text-right">
                {!t.revokedAt && <RowActionButton action={revokeApiToken} id={t.id} label="Revoke" confirm={`Revoke token “${t.name}”? Scripts using it stop at once.`} />}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
