"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { ActionMessage } from "@/components/forms/action-message";
import { Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { offboardTenant } from "@/lib/actions/tenants/offboard-tenant";
import type { CheckResult } from "@/lib/stretch/checks/types";
import { ReasonField } from "./stretch-steps";
import { StretchChecks } from "./stretch-checks";

/**
 * Offboarding behind its pre-checks (tunnels still attached, traffic lately, workloads on the
 * segment) and the tenant's slug typed to confirm; past a warn or fail only with a reason.
 * Folded away: it ends the tenant, and is not something to click on the way past.
 */
export function OffboardForm({ tenantId, slug, displayName, vlanId, checks }: { tenantId: string; slug: string; displayName: string; vlanId: number | null; checks: CheckResult[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(offboardTenant);
  const router = useRouter();
  useEffect(() => {
    if (result?.ok) router.refresh();
  }, [result, router]);
  return (
    <details className="w-full rounded-md border border-red-200 bg-white">
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-red-800">Offboard this tenant…</summary>
      <form onSubmit={onSubmit} aria-label={`Offboard ${displayName}`} className="space-y-3 border-t border-red-200 p-4">
        <p className="text-sm text-slate-700">
          {displayName}&apos;s users lose access, its agent tokens stop working, its segment is removed from AVS, and VLAN {vlanId ?? "—"} goes into quarantine once the segment is gone.
        </p>
        <StretchChecks title="Pre-checks for offboarding" results={checks} />
        <input type="hidden" name="id" value={tenantId} />
        <Field id="offboard-confirmSlug" label={`Type ${slug} to confirm`} errors={errors?.confirmSlug}>
          {(props) => <input {...props} name="confirmSlug" autoComplete="off" className={inputClass} required />}
        </Field>
        <ReasonField id="offboard-reason" errors={errors?.reason} needed={checks.some((check) => check.outcome !== "pass")} />
        <button type="submit" disabled={pending} className="rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60">
          {pending ? "Offboarding…" : "Offboard"}
        </button>
        <ActionMessage result={result} />
      </form>
    </details>
  );
}
