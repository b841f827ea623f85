"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import type { ActionResult } from "@/lib/auth/guards";
import { WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";

/**
 * A silence or a maintenance window: what it covers (tenant, tunnel, and for a silence a kind),
 * when it starts (UTC; empty is now), how long, and why. A tenant's form has its tenant fixed.
 */
export function QuietPeriodForm({
  action,
  mode,
  tenants,
  tenantSlug,
  tunnels,
}: {
  action: (input: FormData) => Promise<ActionResult<unknown>>;
  mode: "silence" | "maintenance";
  tenants?: { slug: string; displayName: string }[];
  tenantSlug?: string;
  tunnels: { id: string; name: string; tenantName: string }[];
}) {
  const { result, onSubmit, pending, errors } = useFormAction(action);
  const label = mode === "silence" ? "Add a silence" : "Plan a maintenance window";
  return (
    <form onSubmit={onSubmit} aria-label={label} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      {tenantSlug && <input type="hidden" name="tenantSlug" value={tenantSlug} />}
      <div className="grid gap-3 sm:grid-cols-3">
        {tenants && (
          <Field id={`${mode}-tenantSlug`} label="Tenant" errors={errors?.tenantSlug}>
            {(props) => (
              <select {...props} name="tenantSlug" className={inputClass} defaultValue="">
                <option value="">{mode === "silence" ? "Any tenant" : "Choose…"}</option>
                {tenants.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    {t.displayName}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id={`${mode}-tunnelId`} label="Tunnel" errors={errors?.tunnelId}>
          {(props) => (
            <select {...props} name="tunnelId" className={inputClass} defaultValue="">
              <option value="">{mode === "silence" ? "Any tunnel" : "Every tunnel of the tenant"}</option>
              {tunnels.map((t) => (
                <option key={t.id} value={t.id}>
                  {tenants ? `${t.tenantName} / ${t.name}` : t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {mode === "silence" && (
          <Field id="silence-kind" label="Kind" errors={errors?.kind}>
            {(props) => (
              <select {...props} name="kind" className={inputClass} defaultValue="">
                <option value="">Any kind</option>
                {(Object.keys(WARNING_KINDS) as WarningKind[]).map((k) => (
                  <option key={k} value={k}>
                    {WARNING_KINDS[k].label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id={`${mode}-startsAt`} label="Starts (UTC; empty: now)" errors={errors?.startsAt}>
          {(props) => <input {...props} name="startsAt" type="datetime-local" className={inputClass} />}
        </Field>
        <Field id={`${mode}-durationHours`} label="For (hours)" errors={errors?.durationHours}>
          {(props) => <input {...props} name="durationHours" className={inputClass} inputMode="decimal" defaultValue="2" required />}
        </Field>
      </div>
      <Field id={`${mode}-reason`} label="Why" errors={errors?.reason}>
        {(props) => <input {...props} name="reason" className={inputClass} placeholder={mode === "silence" ? "Known issue, carrier ticket 4711" : "Replacing the source gateway"} required />}
      </Field>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Saving…" : mode === "silence" ? "Silence" : "Plan window"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
