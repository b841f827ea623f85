"use client";

import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { refreshPrivateClouds } from "@/lib/actions/clouds/refresh-private-clouds";

export function RefreshCloudsButton() {
  const { result, onSubmit, pending } = useFormAction(refreshPrivateClouds);
  return (
    <form onSubmit={onSubmit} aria-label="Refresh private clouds" className="ml-auto flex items-center gap-3">
      <ActionMessage result={result} />
      <button type="submit" disabled={pending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
        {pending ? "Reading…" : "Read again"}
      </button>
    </form>
  );
}
