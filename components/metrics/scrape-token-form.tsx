"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { createScrapeToken } from "@/lib/actions/metrics/create-scrape-token";

export function ScrapeTokenForm() {
  const { result, onSubmit, pending, errors } = useFormAction(createScrapeToken);
  return (
    <form onSubmit={onSubmit} aria-label="Make a scrape token" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <Field id="name" label="Who scrapes with it" errors={errors?.name}>
        {(props) => <input {...props} className={inputClass} placeholder="prometheus-eu-1" required />}
      </Field>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Making…" : "Make scrape token"}
        </button>
        <ActionMessage result={result} />
      </div>
      {result?.ok && (
        <p className="break-all rounded-md bg-slate-100 p-3 text-sm">
          Token: <code aria-label="Scrape token">{result.data.token}</code>
        </p>
      )}
    </form>
  );
}
