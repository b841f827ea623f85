"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guards";

/** "Send test": one delivery now, and the receiver's answer shown beside the button. */
export function TestChannelButton({ action, id, name }: { action: (input: { id: string }) => Promise<ActionResult<unknown>>; id: string; name: string }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={pending}
        aria-label={`Send test to ${name}`}
        onClick={() => start(async () => setResult(await action({ id })))}
        className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 disabled:opacity-60"
      >
        {pending ? "Sending…" : "Send test"}
      </button>
      {result && (
        <span role={result.ok ? "status" : "alert"} className={`max-w-md text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
          {result.message}
        </span>
      )}
    </span>
  );
}
