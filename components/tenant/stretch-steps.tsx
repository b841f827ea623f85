"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import { cancelCutoverPlan } from "@/lib/actions/stretch/cancel-cutover-plan";
import { planCutover } from "@/lib/actions/stretch/plan-cutover";
import { rollBackCutover } from "@/lib/actions/stretch/roll-back-cutover";
import { startCutover } from "@/lib/actions/stretch/start-cutover";
import { unextendStretch } from "@/lib/actions/stretch/unextend-stretch";
import type { ActionResult } from "@/lib/auth/guards";
import { queryKeys } from "@/lib/client/queries";
import { OVERRIDE_REASON } from "@/lib/validation/stretch";
import type { StretchView } from "@/lib/queries/stretch";

/**
 * After a step the stretch is read again: on a refusal too, since the step judged the checks
 * afresh and the list on the page should show what it judged. After a success the segment and
 * the server-rendered page follow.
 */
function useRefreshAfter(slug: string, result: ActionResult<unknown> | null) {
  const queryClient = useQueryClient();
  const router = useRouter();
  useEffect(() => {
    if (!result) return;
    void queryClient.invalidateQueries({ queryKey: queryKeys.stretch(slug) });
    if (!result.ok) return;
    void queryClient.invalidateQueries({ queryKey: queryKeys.segment(slug) });
    router.refresh();
  }, [result, queryClient, router, slug]);
}

/** The reason field every gated step has: empty while all checks pass, required past a warn or fail. */
export function ReasonField({ id, errors, needed }: { id: string; errors?: string[]; needed: boolean }) {
  return (
    <Field id={id} label={needed ? "Reason to go past the pre-checks (kept in the audit trail)" : "Reason (optional; kept in the audit trail)"} errors={errors}>
      {(props) => <textarea {...props} name="reason" rows={2} maxLength={OVERRIDE_REASON.max} className={inputClass} />}
    </Field>
  );
}

type StepProps = { slug: string; tenantId: string; view: StretchView };

function PlanForm({ slug, tenantId, view }: StepProps) {
  const { result, onSubmit, pending, errors } = useFormAction(planCutover);
  useRefreshAfter(slug, result);
  const planned = view.plan;
  return (
    <form onSubmit={onSubmit} aria-label="Plan the cut-over" className="space-y-3 rounded-md border border-slate-200 p-4">
      <h3 className="font-medium">{planned ? "Change the plan" : "Plan the cut-over"}</h3>
      <input type="hidden" name="tenantId" value={tenantId} />
      <div className="grid gap-3 md:grid-cols-2">
        <Field id="gatewayAddress" label="Gateway address the Tier-1 takes" errors={errors?.gatewayAddress}>
          {(props) => <input {...props} className={inputClass} defaultValue={planned ? planned.gatewayAddress.split("/")[0] : view.defaults.gatewayAddress} required />}
        </Field>
        <Field id="tier1Id" label="Tier-1 gateway" errors={errors?.tier1Id}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue={planned?.tier1Id ?? view.defaults.tier1Gateways[0]?.id}>
              {view.defaults.tier1Gateways.map((t1) => (
                <option key={t1.id} value={t1.id}>
                  {t1.displayName} ({t1.id})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="plannedCutoverOn" label="Planned cut-over date (optional)" errors={errors?.plannedCutoverOn}>
          {(props) => <input {...props} type="date" className={inputClass} defaultValue={planned?.plannedCutoverOn ?? ""} />}
        </Field>
        <Field id="sourceInterface" label="Source router's interface on the subnet (optional)" errors={errors?.sourceInterface}>
          {(props) => <input {...props} className={inputClass} defaultValue={planned?.sourceInterface ?? ""} placeholder="eth1.110" />}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Planning…" : planned ? "Save plan" : "Plan cut-over"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}

function CancelPlanForm({ slug, tenantId }: Omit<StepProps, "view">) {
  const { result, onSubmit, pending } = useFormAction(cancelCutoverPlan);
  useRefreshAfter(slug, result);
  return (
    <form onSubmit={onSubmit} aria-label="Cancel the plan" className="flex flex-wrap items-center gap-4">
      <input type="hidden" name="tenantId" value={tenantId} />
      <button type="submit" disabled={pending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-60">
        Cancel plan
      </button>
      <ActionMessage result={result} />
    </form>
  );
}

/** A step that is judged by pre-checks (cut-over, unextend) or is the way back (rollback). */
function GatedStepForm({
  slug,
  tenantId,
  name,
  action,
  submit,
  needsReason,
  confirmSlug,
  explanation,
  danger,
  stageChangedAt,
}: Omit<StepProps, "view"> & {
  /** When the stretch last moved, as this page read it: the step is refused if it moved since. */
  stageChangedAt: string;
  name: string;
  action: (form: FormData) => Promise<ActionResult<unknown>>;
  submit: string;
  needsReason: boolean;
  confirmSlug?: string;
  explanation: string;
  danger?: boolean;
}) {
  const { result, onSubmit, pending, errors } = useFormAction(action);
  useRefreshAfter(slug, result);
  const id = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <form onSubmit={onSubmit} aria-label={name} className="space-y-3 rounded-md border border-slate-200 p-4">
      <h3 className="font-medium">{name}</h3>
      <p className="text-sm text-slate-700">{explanation}</p>
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="stageChangedAt" value={stageChangedAt} />
      {confirmSlug && (
        <Field id={`${id}-confirmSlug`} label={`Type ${confirmSlug} to confirm`} errors={errors?.confirmSlug}>
          {(props) => <input {...props} name="confirmSlug" autoComplete="off" className={inputClass} required />}
        </Field>
      )}
      <ReasonField id={`${id}-reason`} errors={errors?.reason} needed={needsReason} />
      <div className="flex flex-wrap items-center gap-4">
        <button
          type="submit"
          disabled={pending}
          className={danger ? "rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60" : buttonClass}
        >
          {submit}
        </button>
      </div>
      <ActionMessage result={result} />
    </form>
  );
}

const notAllPass = (results: StretchView["checklists"][keyof StretchView["checklists"]]) => (results ?? []).some((check) => check.outcome !== "pass");

/** The operator's controls for the stage the stretch is in; nothing for a stage Azure is still working on. */
export function StretchSteps({ slug, tenantId, view }: StepProps) {
  const common = { slug, tenantId };
  const gated = { ...common, stageChangedAt: view.stageChangedAt };
  const segmentFailed = view.segment?.state === "failed";
  switch (view.stage) {
    case "extending":
      return <PlanForm {...common} view={view} />;
    case "cutover-planned":
      return (
        <div className="space-y-4">
          <GatedStepForm
            {...gated}
            name="Cut over"
            action={startCutover}
            submit="Cut over"
            needsReason={notAllPass(view.checklists["cut-over"])}
            explanation="Run the cut-over file from the bundle on the source router first (it releases the gateway address), then cut over: Azure gives the segment its gateway on the Tier-1. The tunnels stay up for stragglers."
          />
          <PlanForm {...common} view={view} />
          <CancelPlanForm {...common} />
        </div>
      );
    case "cutting-over":
    case "rolling-back":
      return (
        <div className="space-y-4">
          <p role="status" className="text-sm text-slate-700">
            {view.stage === "cutting-over" ? "Azure is giving the segment its gateway on the Tier-1…" : "Azure is taking the gateway off the segment…"}
            {segmentFailed && " Azure failed the operation: retry it on the segment card, or roll back."}
          </p>
          {view.stage === "cutting-over" && segmentFailed && (
            <GatedStepForm {...gated} name="Roll back" action={rollBackCutover} submit="Roll back" needsReason={false} explanation="Take the gateway off the segment again; then run the restore file on the source router." />
          )}
        </div>
      );
    case "cut-over":
      return (
        <div className="space-y-4">
          <GatedStepForm
            {...gated}
            name="Roll back"
            action={rollBackCutover}
            submit="Roll back"
            needsReason={false}
            explanation="Azure takes the gateway off the segment; once the stretch shows “Cut-over planned” again, run the restore file on the source router so it holds the gateway again."
          />
          <GatedStepForm
            {...gated}
            name="Unextend"
            action={unextendStretch}
            submit="Unextend"
            danger
            confirmSlug={slug}
            needsReason={notAllPass(view.checklists.unextend)}
            explanation="Retires the tunnels and their agent tokens for good; the segment stays in AVS, routed by the Tier-1, and the VLAN stays the tenant's. Then take the gateways down with the teardown files, source first."
          />
        </div>
      );
    case "unextended":
      return (
        <p className="text-sm text-slate-700">
          The stretch is over. The gateways&apos; teardown files (source router first, then the AVS edge bridge):{" "}
          {view.teardownFiles > 0 ? (
            <a className="text-sky-800 underline" href={`/api/v1/tenants/${encodeURIComponent(slug)}/teardown`}>
              download the teardown files ({view.teardownFiles})
            </a>
          ) : (
            "none were kept."
          )}
        </p>
      );
  }
}
