"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import type { ActionResult } from "@/lib/auth/guards";
import { ROUTE_TIMING } from "@/lib/domain/notifications";
import { WARNING_SEVERITY, WARNING_SEVERITIES } from "@/lib/domain/status";
import { WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";

/**
 * A routing rule: which warnings (severity, kinds, and for operators a tenant) go to which
 * channel, how long to gather them (group wait) and how often to repeat. A tenant's form has no
 * tenant to choose: its rules only ever see its own warnings.
 */
export function RouteForm({
  action,
  channels,
  tenants,
  tenantSlug,
}: {
  action: (input: FormData) => Promise<ActionResult<unknown>>;
  channels: { id: string; name: string }[];
  tenants?: { slug: string; displayName: string }[];
  tenantSlug?: string;
}) {
  const { result, onSubmit, pending, errors } = useFormAction(action);
  if (channels.length === 0) return <p className="text-sm text-slate-600">Add a channel first; rules send to channels.</p>;
  return (
    <form onSubmit={onSubmit} aria-label="Add a routing rule" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      {tenantSlug && <input type="hidden" name="tenantSlug" value={tenantSlug} />}
      <div className="grid gap-3 sm:grid-cols-3">
        <Field id="channelId" label="Send to" errors={errors?.channelId}>
          {(props) => (
            <select {...props} className={inputClass}>
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="minSeverity" label="Severity at least" errors={errors?.minSeverity}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue="warning">
              {WARNING_SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {WARNING_SEVERITY[s].label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {tenants && (
          <Field id="matchTenantSlug" label="Tenant" errors={errors?.matchTenantSlug}>
            {(props) => (
              <select {...props} className={inputClass} defaultValue="">
                <option value="">Every tenant</option>
                {tenants.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    {t.displayName}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id="groupWaitSeconds" label="Group wait (seconds)" errors={errors?.groupWaitSeconds}>
          {(props) => <input {...props} className={inputClass} inputMode="numeric" defaultValue={ROUTE_TIMING.groupWaitSeconds.default} />}
        </Field>
        <Field id="repeatIntervalMinutes" label="Repeat while open (minutes)" errors={errors?.repeatIntervalMinutes}>
          {(props) => <input {...props} className={inputClass} inputMode="numeric" defaultValue={ROUTE_TIMING.repeatIntervalMinutes.default} />}
        </Field>
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" name="sendResolved" defaultChecked className="size-4" /> Say when they resolve
        </label>
      </div>
      <fieldset className="rounded border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-700">Kinds (none ticked: every kind)</legend>
        <div className="grid gap-1 sm:grid-cols-3">
          {(Object.keys(WARNING_KINDS) as WarningKind[]).map((k, i) => (
            <label key={k} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name={`kinds.${i}`} value={k} className="size-4" /> {WARNING_KINDS[k].label}
            </label>
          ))}
        </div>
        {errors?.kinds && <p className="mt-1 text-sm text-red-700">{errors.kinds.join(" ")}</p>}
      </fieldset>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Adding…" : "Add rule"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
