"use client";

import { createDisplay } from "@/lib/actions/noc/create-display";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";

export function DisplayForm() {
  const { result, onSubmit, pending, errors } = useFormAction(createDisplay);
  return (
    <form onSubmit={onSubmit} aria-label="Create a NOC display" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <Field id="name" label="Display name" errors={errors?.name}>
        {(props) => <input {...props} className={inputClass} placeholder="NOC wall 1" required />}
      </Field>
      <div className="flex items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Creating…" : "Create display link"}
        </button>
        <ActionMessage result={result} />
      </div>
      {result?.ok && (
        <p className="break-all rounded-md bg-slate-100 p-3 font-mono text-sm">
          <span className="sr-only">Display link: </span>
          <a href={result.data.link} aria-label="Display link">
            {result.data.link}
          </a>
        </p>
      )}
    </form>
  );
}
