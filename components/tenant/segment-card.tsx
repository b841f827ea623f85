"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { StatusBadge } from "@/components/status-badge";
import { retrySegment } from "@/lib/actions/segments/retry-segment";
import { queryKeys, segmentQuery } from "@/lib/client/queries";
import { SEGMENT_STATE } from "@/lib/domain/status";
import type { SegmentStatus } from "@/lib/queries/segments";

const PROGRESS: Partial<Record<SegmentStatus["state"], string>> = {
  pending: "Waiting to be sent to Azure…",
  provisioning: "Azure is creating the segment…",
  deleting: "Azure is removing the segment…",
};

/** The tenant's NSX-T segment, live: it polls while Azure works, and offers a retry when it fails. */
export function SegmentCard({ slug, initial, canRetry }: { slug: string; initial: SegmentStatus | null; canRetry: boolean }) {
  const { data: segment, isError } = useQuery({ ...segmentQuery(slug), initialData: initial });
  const queryClient = useQueryClient();
  // The page re-renders on the server after an action (an offboarding, a retry): its segment is
  // then newer than the cached one, and the card must take it, or it would go on showing "Ready"
  // and polling slowly while Azure deletes the segment.
  useEffect(() => {
    const cached = queryClient.getQueryData<SegmentStatus | null>(queryKeys.segment(slug));
    if (initial && (!cached || initial.updatedAt > cached.updatedAt)) queryClient.setQueryData(queryKeys.segment(slug), initial);
  }, [initial, queryClient, slug]);
  const router = useRouter();
  // The segment's state moves the tenant's (a ready segment makes it active; a deleted one,
  // offboarded): when it changes, the server-rendered rest of the page is refreshed too.
  const lastState = useRef(segment?.state);
  useEffect(() => {
    if (segment && lastState.current !== segment.state) {
      lastState.current = segment.state;
      router.refresh();
    }
  }, [segment, router]);
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  if (!segment) return null;
  const progress = PROGRESS[segment.state];
  return (
    <section aria-labelledby="segment-heading" className="mt-8 rounded-lg border border-slate-200 bg-white p-5">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="segment-heading" className="text-lg font-semibold">
          NSX-T segment
        </h2>
        <span role="status" aria-label="Segment state">
          <StatusBadge status={SEGMENT_STATE[segment.state]} />
        </span>
        <span className="font-mono text-sm text-slate-600">{segment.segmentName}</span>
        {isError && <span className="text-sm text-amber-800">(could not refresh; showing the last known state)</span>}
      </div>
      {progress && <p className="mt-2 text-sm text-slate-700">{progress}</p>}
      {segment.lastError && (
        <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900">
          {segment.lastError}
        </p>
      )}
      {canRetry && (segment.state === "failed" || segment.state === "drifted") && (
        <div className="mt-3 flex items-center gap-3">
          <button
            type="button"
            disabled={pending}
            onClick={() =>
              start(async () => {
                const result = await retrySegment({ id: segment.id });
                setMessage(result.message ?? null);
                await queryClient.invalidateQueries({ queryKey: queryKeys.segment(slug) });
              })
            }
            className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
          >
            {pending ? "Retrying…" : "Retry"}
          </button>
          {message && <span className="text-sm text-slate-700">{message}</span>}
        </div>
      )}
      <dl className="mt-4 grid gap-2 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-500">Display name</dt>
          <dd>{segment.displayName}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Tier-1 gateway</dt>
          <dd>{segment.tier1GatewayId ?? "None: the default gateway stays at the source site"}</dd>
        </div>
      </dl>
      <p className="mt-4 text-sm text-slate-600">
        The AVS edge bridge VM on this segment forwards frames for the source site&apos;s MAC addresses, so its
        segment port needs a <strong>MAC discovery</strong> segment profile with MAC learning enabled and a{" "}
        <strong>segment security</strong> profile that allows forged transmits. Without them NSX-T drops the
        bridged traffic.
      </p>
    </section>
  );
}
