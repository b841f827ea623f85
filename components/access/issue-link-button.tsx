"use client";

import { useState, useTransition } from "react";
import { issueDisplayLink } from "@/lib/actions/noc/issue-display-link";

/** Issues a display's new one-time link and shows it once, beside the row. */
export function IssueLinkButton({ displayId, displayName }: { displayId: string; displayName: string }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<Awaited<ReturnType<typeof issueDisplayLink>> | null>(null);
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <button
        type="button"
        disabled={pending}
        onClick={() => {
          if (window.confirm(`Issue a new link for “${displayName}”? Its current link stops working.`)) start(async () => setResult(await issueDisplayLink({ id: displayId })));
        }}
        className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 disabled:opacity-60"
      >
        {pending ? "Issuing…" : "Issue a new link"}
      </button>
      {result && (
        <span role={result.ok ? "status" : "alert"} className={`max-w-md text-left text-sm ${result.ok ? "text-slate-700" : "text-red-700"}`}>
          {result.message}
          {result.ok && (
            <a href={result.data.link} aria-label={`New link for ${displayName}`} className="mt-1 block break-all rounded bg-slate-100 p-2 font-mono">
              {result.data.link}
            </a>
          )}
        </span>
      )}
    </span>
  );
}
