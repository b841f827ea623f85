import type { Metadata } from "next";
import Link from "next/link";
import { ApiTokenForm } from "@/components/settings/api-token-form";
import { ApiTokenTable } from "@/components/settings/api-token-table";
import { SettingsNav } from "@/components/notifications/settings-nav";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { listTenantChoices } from "@/lib/queries/access";
import { listApiTokens } from "@/lib/queries/api-tokens";
import { getDemoReceivers } from "@/lib/notifications/demo-receiver-addresses";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

/** Settings → API tokens: the automation API's named, scoped tokens. */
export default async function ApiTokensPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const [tokens, tenantChoices] = await Promise.all([listApiTokens(db), listTenantChoices(db)]);
  const canChange = isAdmin(principal);
  return (
    <section aria-labelledby="api-tokens-heading" className="space-y-4">
      <SettingsNav current="/admin/settings/api-tokens" builtinReceiver={getDemoReceivers() !== null} />
      <h1 id="api-tokens-heading" className="text-2xl font-bold tracking-tight">
        API tokens
      </h1>
      <p className="max-w-3xl text-sm text-slate-600">
        Scripts and pipelines call the <a className="underline" href="/api/v1/openapi.json">automation API</a> with{" "}
        <code>Authorization: Bearer bh_…</code>. A read token reads; a write token also onboards, edits and downloads
        gateway configs (which carry keys). Limit a token to one tenant where you can. The secret is shown once and
        only its hash is kept; every call a token makes is in the audit trail under <code>token:&lt;name&gt;</code>. Try
        the routes with a token in the <Link className="underline" href="/admin/api">API reference</Link>.
      </p>
      <ApiTokenTable tokens={tokens} canChange={canChange} now={new Date()} />
      {canChange && <ApiTokenForm tenants={tenantChoices} />}
    </section>
  );
}
