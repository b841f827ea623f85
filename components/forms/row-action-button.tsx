"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guards";

/** A button that runs one server action on one row, and says how it went. */
export function RowActionButton({
  action,
  id,
  label,
  confirm,
}: {
  action: (input: { id: string }) => Promise<ActionResult<unknown>>;
  id: string;
  label: string;
  confirm: string;
}) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={() => {
          if (window.confirm(confirm)) start(async () => setResult(await action({ id })));
        }}
        className="rounded-md border border-red-300 px-2 py-1 text-sm text-red-800 hover:bg-red-50 disabled:opacity-60"
      >
        {label}
      </button>
      {result && (
        <span role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
          {result.message}
        </span>
      )}
    </span>
  );
}
