"use client";

import { useState, useTransition, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/guards";

/**
 * "Send test": one delivery now, and the receiver's answer shown under the button. `children`
 * are the row's other buttons, kept on the button's line so a long answer (a receiver's body)
 * wraps below them instead of pushing them about.
 */
export function TestChannelButton({
  action,
  id,
  name,
  align = "start",
  children,
}: {
  action: (input: { id: string }) => Promise<ActionResult<unknown>>;
  id: string;
  name: string;
  align?: "start" | "end";
  children?: ReactNode;
}) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <div className={`flex flex-col gap-1 ${align === "end" ? "items-end" : "items-start"}`}>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={pending}
          aria-label={`Send test to ${name}`}
          onClick={() => start(async () => setResult(await action({ id })))}
          className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 disabled:opacity-60"
        >
          {pending ? "Sending…" : "Send test"}
        </button>
        {children}
      </div>
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`max-w-xs break-words text-left text-xs ${result.ok ? "text-green-800" : "text-red-700"}`}>
          {result.message}
        </p>
      )}
    </div>
  );
}
