"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { updateVlanPool } from "@/lib/actions/pools/update-vlan-pool";

export function PoolSettingsForm(props: { privateCloudId: string; ranges: string; reserved: string; quarantineDays: number }) {
  const { result, onSubmit, pending, errors } = useFormAction(updateVlanPool);
  return (
    <form onSubmit={onSubmit} aria-label="Pool settings" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-3">
      <h2 className="text-lg font-semibold sm:col-span-3">Pool settings</h2>
      <input type="hidden" name="privateCloudId" value={props.privateCloudId} />
      <Field id="ranges" label="Allowed ranges" errors={errors?.ranges}>
        {(p) => <input {...p} className={`${inputClass} font-mono`} defaultValue={props.ranges} />}
      </Field>
      <Field id="reserved" label="Reserved IDs" errors={errors?.reserved}>
        {(p) => <input {...p} className={`${inputClass} font-mono`} defaultValue={props.reserved} />}
      </Field>
      <Field id="quarantineDays" label="Quarantine after release (days)" errors={errors?.quarantineDays}>
        {(p) => <input {...p} type="number" className={inputClass} defaultValue={props.quarantineDays} min={0} max={3650} />}
      </Field>
      <div className="flex items-center gap-4 sm:col-span-3">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Saving…" : "Save pool"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
