"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { acknowledgeWarning } from "@/lib/actions/warnings/acknowledge-warning";
import { describeLoadError } from "@/lib/client/load-error";
import { queryKeys, tenantWarningsQuery } from "@/lib/client/queries";
import { WARNING_STATE } from "@/lib/domain/status";
import type { WarningRow } from "@/lib/queries/warnings";
import { WarningTimes, WarningTitle } from "./warning-facts";
import { WarningMutes } from "./warning-mutes";

/**
 * A tenant's warnings, live: the active ones (open, then acknowledged), then the recently
 * resolved ones. `canAcknowledge` is the viewer's tenant:write on this tenant (operators and the
 * tenant's own admins); the action checks it again, the button only spares others a refusal.
 */
export function WarningList({ slug, canAcknowledge }: { slug: string; canAcknowledge: boolean }) {
  const { data, error } = useQuery(tenantWarningsQuery(slug));
  return (
    <section aria-labelledby="warnings-heading" className="mt-8 space-y-3">
      <h2 id="warnings-heading" className="text-lg font-semibold">
        Warnings
        {data && data.active.length > 0 && <span className="ml-2 text-sm font-normal text-slate-500">{data.active.length} active</span>}
      </h2>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {describeLoadError(error, "the warnings")}
        </p>
      )}
      {!data ? (
        error ? null : <ListSkeleton />
      ) : (
        <>
          {data.active.length === 0 ? (
            <p className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-green-800">
              <span aria-hidden>✓ </span>No open warnings.
            </p>
          ) : (
            <ul className="space-y-2">
              {data.active.map((warning) => (
                <ActiveWarning key={warning.id} warning={warning} slug={slug} canAcknowledge={canAcknowledge} />
              ))}
            </ul>
          )}
          <details className="rounded-lg border border-slate-200 bg-white" open={data.active.length === 0 && data.past.length > 0}>
            <summary className="cursor-pointer px-4 py-2 text-sm font-medium">
              Resolved recently <span className="font-normal text-slate-500">({data.past.length === 0 ? "none" : `last ${data.past.length}`})</span>
            </summary>
            {data.past.length > 0 && (
              <ul className="divide-y divide-slate-200 border-t border-slate-200">
                {data.past.map((warning) => (
                  <li key={warning.id} className="space-y-1 px-4 py-2">
                    <WarningTitle warning={warning} />
                    <p className="text-sm text-slate-700">{warning.message}</p>
                    <WarningTimes warning={warning} />
                  </li>
                ))}
              </ul>
            )}
          </details>
        </>
      )}
    </section>
  );
}

function ActiveWarning({ warning, slug, canAcknowledge }: { warning: WarningRow; slug: string; canAcknowledge: boolean }) {
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const acknowledge = () =>
    start(async () => {
      const outcome = await acknowledgeWarning({ id: warning.id });
      setResult({ ok: outcome.ok, message: outcome.message ?? (outcome.ok ? "Acknowledged." : "Could not acknowledge.") });
      await queryClient.invalidateQueries({ queryKey: queryKeys.tenantWarnings(slug) });
    });
  return (
    <li className={`space-y-1 rounded-lg border bg-white px-4 py-3 ${warning.state === "open" ? "border-slate-300" : "border-slate-200"}`}>
      <div className="flex flex-wrap items-center gap-3">
        <WarningTitle warning={warning} />
        {warning.state === "acknowledged" && <span className="text-sm text-slate-600">{WARNING_STATE.acknowledged.label}</span>}
        {canAcknowledge && warning.state === "open" && (
          <button
            type="button"
            onClick={acknowledge}
            disabled={pending}
            className="ml-auto rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 disabled:opacity-60"
          >
            {pending ? "Acknowledging…" : "Acknowledge"}
          </button>
        )}
      </div>
      <p className="text-sm text-slate-800">{warning.message}</p>
      {warning.kind === "stretch-past-cutover" && (
        <a href="#stretch" className="text-sm text-sky-800 underline">
          See where the stretch stands and plan its cut-over
        </a>
      )}
      <WarningTimes warning={warning} />
      <WarningMutes mutes={warning.mutes} />
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
          {result.message}
        </p>
      )}
    </li>
  );
}

function ListSkeleton() {
  return (
    <div role="status" className="animate-pulse space-y-2">
      <span className="sr-only">Loading the warnings…</span>
      <div aria-hidden className="h-20 rounded-lg bg-slate-100" />
      <div aria-hidden className="h-20 rounded-lg bg-slate-100" />
    </div>
  );
}
