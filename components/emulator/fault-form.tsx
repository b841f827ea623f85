"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { clearEmulatorFaults, injectEmulatorFault } from "@/lib/actions/emulator/inject-fault";

export function FaultForm() {
  const { result, onSubmit, pending, errors } = useFormAction(injectEmulatorFault);
  const cleared = useFormAction(clearEmulatorFaults);
  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} aria-label="Inject a fault" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-3">
        <Field id="kind" label="Fault" errors={errors?.kind}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="fail-operation">
              <option value="fail-operation">Failed long-running operation</option>
              <option value="throttle">Throttle (429 with Retry-After)</option>
              <option value="error">Server error (500)</option>
              <option value="latency">Latency</option>
              <option value="hang">Hang</option>
            </select>
          )}
        </Field>
        <Field id="method" label="Method" errors={errors?.method}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="PUT">
              <option value="">Any</option>
              <option value="GET">GET</option>
              <option value="PUT">PUT</option>
              <option value="DELETE">DELETE</option>
            </select>
          )}
        </Field>
        <Field id="pathIncludes" label="Path contains" errors={errors?.pathIncludes}>
          {(p) => <input {...p} className={`${inputClass} font-mono`} defaultValue="/segments/" />}
        </Field>
        <Field id="times" label="Times" errors={errors?.times}>
          {(p) => <input {...p} type="number" className={inputClass} defaultValue={1} min={1} max={100} />}
        </Field>
        <Field id="retryAfterSeconds" label="Retry-After (s, throttle)" errors={errors?.retryAfterSeconds}>
          {(p) => <input {...p} type="number" className={inputClass} defaultValue={5} min={0} />}
        </Field>
        <Field id="latencyMs" label="Latency (ms)" errors={errors?.latencyMs}>
          {(p) => <input {...p} type="number" className={inputClass} defaultValue={2000} min={0} />}
        </Field>
        <div className="flex items-center gap-4 sm:col-span-3">
          <button type="submit" className={buttonClass} disabled={pending}>
            {pending ? "Injecting…" : "Inject fault"}
          </button>
          <ActionMessage result={result} />
        </div>
      </form>
      <form onSubmit={cleared.onSubmit} aria-label="Clear faults" className="flex items-center gap-4">
        <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm" disabled={cleared.pending}>
          Clear all faults
        </button>
        <ActionMessage result={cleared.result} />
      </form>
    </div>
  );
}
