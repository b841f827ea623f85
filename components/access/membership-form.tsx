"use client";

import { addMembership } from "@/lib/actions/access/add-membership";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";

export function MembershipForm({ tenants }: { tenants: { slug: string; displayName: string }[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(addMembership);
  return (
    <form onSubmit={onSubmit} aria-label="Add a tenant member" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
      <Field id="tenantSlug" label="Tenant" errors={errors?.tenantSlug}>
        {(props) => (
          <select {...props} className={inputClass} defaultValue="">
            <option value="" disabled>
              Choose a tenant
            </option>
            {tenants.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.displayName}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="role" label="Role" errors={errors?.role}>
        {(props) => (
          <select {...props} className={inputClass} defaultValue="tenant-admin">
            <option value="tenant-admin">Tenant admin (may rotate agent tokens)</option>
            <option value="tenant-viewer">Tenant viewer (read only)</option>
          </select>
        )}
      </Field>
      <Field id="principalKind" label="Identify the user by" errors={errors?.principalKind}>
        {(props) => (
          <select {...props} className={inputClass} defaultValue="sign-in-name">
            <option value="sign-in-name">Sign-in name</option>
            <option value="object-id">Entra object id</option>
          </select>
        )}
      </Field>
      <Field id="principal" label="Sign-in name or object id" errors={errors?.principal}>
        {(props) => <input {...props} className={inputClass} autoComplete="off" required />}
      </Field>
      <div className="flex items-center gap-4 sm:col-span-2">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Adding…" : "Add member"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
