"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { importTenants } from "@/lib/actions/tenants/import-tenants";
import { ImportResults } from "./tenant-import-results";

const MODES = [
  { value: "dry-run", label: "Dry run: show what would happen, write nothing" },
  { value: "all-or-nothing", label: "Apply all or nothing: only if every row is good" },
  { value: "per-row", label: "Apply row by row: onboard the good rows, leave the rest" },
] as const;

/** Upload a CSV, choose what to do with it, and see each row's fate. */
export function TenantImportForm({ clouds }: { clouds: { id: string; name: string; region: string }[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(importTenants);
  return (
    <div className="space-y-6">
      <form onSubmit={onSubmit} aria-label="Import tenants" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <Field id="file" label="CSV file" errors={errors?.file}>
          {(props) => <input {...props} type="file" accept=".csv,text/csv" className={inputClass} required />}
        </Field>
        <Field id="privateCloudId" label="Private cloud, for rows that name none" errors={errors?.privateCloudId}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue={clouds[0]?.id ?? ""}>
              {clouds.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.region})
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium">What to do</legend>
          {MODES.map((mode) => (
            <label key={mode.value} className="flex items-center gap-2 text-sm">
              <input type="radio" name="mode" value={mode.value} defaultChecked={mode.value === "dry-run"} />
              {mode.label}
            </label>
          ))}
        </fieldset>
        <div className="flex items-center gap-4">
          <button type="submit" className={buttonClass} disabled={pending}>
            {pending ? "Working…" : "Run"}
          </button>
          <ActionMessage result={result} />
        </div>
      </form>
      {result?.ok && <ImportResults outcome={result.data} />}
    </div>
  );
}
