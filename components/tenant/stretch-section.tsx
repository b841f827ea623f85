"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { StatusBadge } from "@/components/status-badge";
import { stretchQuery } from "@/lib/client/queries";
import { STRETCH_STAGE } from "@/lib/domain/status";
import type { StretchView } from "@/lib/queries/stretch";
import { StretchChecks } from "./stretch-checks";
import { StretchSteps } from "./stretch-steps";
import { StretchPath, StretchTimeline } from "./stretch-timeline";

const CHECKLIST_TITLES = {
  "cut-over": "Pre-checks for the cut-over",
  "after-cut-over": "After the cut-over",
  unextend: "Pre-checks for the unextend",
} as const;

/**
 * The end of the stretch on the tenant page: where it stands, the pre-checks of the next step
 * with their evidence, the operator's controls, and the timeline. Live: it follows Azure while a
 * step is in flight, and the agents' reports otherwise. The tenant's own users see it read-only.
 */
export function StretchSection({ slug, tenantId, initial, canAct }: { slug: string; tenantId: string; initial: StretchView; canAct: boolean }) {
  const queryClient = useQueryClient();
  const { data: view, isError } = useQuery({ ...stretchQuery(slug), initialData: initial });
  // A server render after an action carries a newer view than the cache: take it.
  useEffect(() => {
    const cached = queryClient.getQueryData<StretchView | null>(stretchQuery(slug).queryKey);
    if (!cached || initial.stageChangedAt > cached.stageChangedAt || initial.timeline.length > cached.timeline.length) {
      queryClient.setQueryData(stretchQuery(slug).queryKey, initial);
    }
  }, [initial, queryClient, slug]);
  // When Azure finishes a step the stage moves: the rest of the page (bundle, tunnels) follows.
  const router = useRouter();
  const lastStage = useRef(view?.stage);
  useEffect(() => {
    if (view && lastStage.current !== view.stage) {
      lastStage.current = view.stage;
      router.refresh();
    }
  }, [view, router]);
  if (!view) return null;
  const stage = STRETCH_STAGE[view.stage];
  const lists = (Object.keys(CHECKLIST_TITLES) as (keyof typeof CHECKLIST_TITLES)[]).filter((list) => view.checklists[list]);
  return (
    <section id="stretch" aria-labelledby="stretch-heading" className="mt-8 space-y-5 rounded-lg border border-slate-200 bg-white p-5">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="stretch-heading" className="text-lg font-semibold">
          Stretch lifecycle
        </h2>
        <span role="status" aria-label="Stretch stage">
          <StatusBadge status={stage} />
        </span>
        <span className="text-sm text-slate-600">since {view.stageChangedAt.slice(0, 10)}</span>
        {isError && <span className="text-sm text-amber-800">(could not refresh; showing the last known state)</span>}
      </div>
      <StretchPath stage={view.stage} />
      <p className="text-sm text-slate-700">
        {stage.description}.
        {view.plan && (
          <>
            {" "}
            Plan: gateway <span className="font-mono">{view.plan.gatewayAddress}</span> on Tier-1 <span className="font-mono">{view.plan.tier1Id}</span>
            {view.plan.plannedCutoverOn ? `, planned for ${view.plan.plannedCutoverOn}` : ""}.
          </>
        )}
      </p>
      {lists.map((list) => (
        <StretchChecks key={list} title={CHECKLIST_TITLES[list]} results={view.checklists[list]!} />
      ))}
      {canAct && <StretchSteps slug={slug} tenantId={tenantId} view={view} />}
      <div className="space-y-2">
        <h3 className="font-medium">Timeline</h3>
        <StretchTimeline entries={view.timeline} />
      </div>
    </section>
  );
}
