"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { addReservedRange } from "@/lib/actions/clouds/add-reserved-range";

/** Reserves a range for one private cloud or for all, with the reason every refusal will quote. */
export function ReservedRangeForm({ clouds }: { clouds: { id: string; name: string }[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(addReservedRange);
  return (
    <form onSubmit={onSubmit} aria-label="Reserve a range" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
      <Field id="scope" label="Reserved in" errors={errors?.scope}>
        {(props) => (
          <select {...props} className={inputClass} defaultValue="all">
            <option value="all">Every private cloud</option>
            {clouds.map((cloud) => (
              <option key={cloud.id} value={cloud.id}>
                {cloud.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="cidr" label="Range (CIDR)" errors={errors?.cidr}>
        {(props) => <input {...props} className={`${inputClass} font-mono`} placeholder="10.50.0.0/16" autoComplete="off" required />}
      </Field>
      <Field id="reason" label="Why it is reserved" errors={errors?.reason}>
        {(props) => <input {...props} className={inputClass} placeholder="Head office LAN" autoComplete="off" required />}
      </Field>
      <div className="flex items-center gap-4 sm:col-span-3">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Reserving…" : "Reserve range"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
