"use client";

import { createApiToken } from "@/lib/actions/api-tokens/create-api-token";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";

/** Creates a named token; its secret is shown here once and never again. */
export function ApiTokenForm({ tenants }: { tenants: { slug: string; displayName: string }[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(createApiToken);
  return (
    <form onSubmit={onSubmit} aria-label="Create an API token" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="name" label="Token name" errors={errors?.name}>
          {(props) => <input {...props} className={inputClass} placeholder="netbox-sync" required />}
        </Field>
        <Field id="scope" label="Scope" errors={errors?.scope}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue="read">
              <option value="read">Read: lists, tenants, pools, audit</option>
              <option value="write">Write: also onboard, edit, tunnels, bundles</option>
            </select>
          )}
        </Field>
        <Field id="tenantSlug" label="Tenant" errors={errors?.tenantSlug}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue="">
              <option value="">Every tenant</option>
              {tenants.map((t) => (
                <option key={t.slug} value={t.slug}>
                  Only {t.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="expiresInDays" label="Expires after (days)" errors={errors?.expiresInDays}>
          {(props) => <input {...props} type="number" min={1} max={365} defaultValue={90} className={inputClass} required />}
        </Field>
      </div>
      <div className="flex items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </button>
        <ActionMessage result={result} />
      </div>
      {result?.ok && (
        <p className="break-all rounded-md bg-slate-100 p-3 font-mono text-sm">
          <span className="sr-only">New token: </span>
          <code aria-label="New API token">{result.data.token}</code>
        </p>
      )}
    </form>
  );
}
