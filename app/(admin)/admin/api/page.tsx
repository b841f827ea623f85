import type { Metadata } from "next";
import Link from "next/link";
import { ApiReference } from "@/components/api-reference/api-reference";
import { requirePageAccess } from "@/lib/auth/page-guard";

export const metadata: Metadata = { title: "API reference" };
export const dynamic = "force-dynamic";

/**
 * The automation API's interactive reference, drawn from /api/v1/openapi.json. Calls made from
 * here carry only the token pasted into Authorize, never this browser's session: the page
 * behaves as a script would, and the audit trail names the token.
 */
export default async function ApiReferencePage() {
  await requirePageAccess("portal:read");
  return (
    <section aria-labelledby="api-reference-heading" className="space-y-4">
      <h1 id="api-reference-heading" className="text-2xl font-bold tracking-tight">
        API reference
      </h1>
      <p className="max-w-3xl text-sm text-slate-600">
        Every route of the automation API, from its <a className="underline" href="/api/v1/openapi.json">OpenAPI document</a>. To try a
        call, choose <strong>Authorize</strong> and paste an API token (<code>bh_…</code>, made under{" "}
        <Link className="underline" href="/admin/settings/api-tokens">
          Settings → API tokens
        </Link>
        ). The token stays in this page&apos;s memory only, is gone when you leave or reload, and calls made here carry the token, not your
        sign-in: they do what the token may do, and the audit trail records them under its name.
      </p>
      <h2 className="text-lg font-semibold">Operations</h2>
      <ApiReference />
    </section>
  );
}
