"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { allowNotificationHost } from "@/lib/actions/notifications/allow-host";

export function AllowedHostForm() {
  const { result, onSubmit, pending, errors } = useFormAction(allowNotificationHost);
  return (
    <form onSubmit={onSubmit} aria-label="Allow an internal host" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="host" label="Host name or address" errors={errors?.host}>
          {(props) => <input {...props} className={inputClass} placeholder="relay.corp.example" required />}
        </Field>
        <Field id="reason" label="Why it may be reached" errors={errors?.reason}>
          {(props) => <input {...props} className={inputClass} placeholder="The NOC's internal mail relay" required />}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Allowing…" : "Allow host"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
