"use client";

import Link from "next/link";
import { useEffect, useId, useMemo, useRef, useState, useTransition } from "react";
import { buttonClass } from "@/components/forms/field";
import { acknowledgeWarnings } from "@/lib/actions/warnings/acknowledge-warnings";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import type { WarningRow } from "@/lib/queries/warnings";
import { WarningTimes, WarningTitle } from "./warning-facts";
import { WarningMutes } from "./warning-mutes";

/**
 * The fleet's active warnings, worst first. Operators who may change the fleet get a checkbox
 * per open warning, "select all on this page" and one button to acknowledge the selection; NOC
 * viewers see the same table without them.
 */
export function WarningTable({ rows, canAcknowledge }: { rows: WarningRow[]; canAcknowledge: boolean }) {
  const selectable = useMemo(() => rows.filter((row) => row.state === "open").map((row) => row.id), [rows]);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [pending, start] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const allId = useId();

  // Rows change under the selection (a refresh, another page): keep only what is still selectable.
  const visible = useMemo(() => new Set(selectable), [selectable]);
  const chosen = [...selected].filter((id) => visible.has(id));
  const all = selectable.length > 0 && chosen.length === selectable.length;
  const some = chosen.length > 0 && !all;

  const allBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allBox.current) allBox.current.indeterminate = some;
  }, [some]);

  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const acknowledge = () =>
    start(async () => {
      const outcome = await acknowledgeWarnings({ ids: chosen });
      setResult({ ok: outcome.ok, message: outcome.message ?? (outcome.ok ? "Acknowledged." : "Could not acknowledge.") });
      // The action revalidates this page, so the acknowledged rows come back with their new state.
      if (outcome.ok) setSelected(new Set());
    });

  if (rows.length === 0) {
    return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No open warning matches these filters.</p>;
  }

  return (
    <div className="space-y-3">
      {canAcknowledge && (
        <div className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-2">
          <label htmlFor={allId} className="flex items-center gap-2 text-sm">
            <input
              ref={allBox}
              id={allId}
              type="checkbox"
              checked={all}
              disabled={selectable.length === 0}
              onChange={(event) => setSelected(event.target.checked ? new Set(selectable) : new Set())}
              className="size-4"
            />
            Select all open warnings on this page
          </label>
          <button type="button" onClick={acknowledge} disabled={pending || chosen.length === 0} className={buttonClass}>
            {pending ? "Acknowledging…" : `Acknowledge selected${chosen.length > 0 ? ` (${chosen.length})` : ""}`}
          </button>
          {result && (
            <p role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
              {result.message}
            </p>
          )}
        </div>
      )}
      <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
        <caption className="sr-only">Open and acknowledged warnings, worst first, then oldest first</caption>
        <thead className="bg-slate-100 text-left">
          <tr>
            {canAcknowledge && (
              <th scope="col" className="w-10 px-3 py-2">
                <span className="sr-only">Select</span>
              </th>
            )}
            <th scope="col" className="px-3 py-2">Warning</th>
            <th scope="col" className="px-3 py-2">Tenant</th>
            <th scope="col" className="px-3 py-2">State</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const boxId = `select-${row.id}`;
            return (
              <tr key={row.id} className="border-t border-slate-200 align-top">
                {canAcknowledge && (
                  <td className="px-3 py-2">
                    {row.state === "open" && (
                      <>
                        <input id={boxId} type="checkbox" checked={visible.has(row.id) && selected.has(row.id)} onChange={(event) => toggle(row.id, event.target.checked)} className="size-4" />
                        <label htmlFor={boxId} className="sr-only">
                          Select {warningKindLabel(row.kind)} on {row.tenantSlug}
                          {row.tunnelName ? `/${row.tunnelName}` : ""}
                        </label>
                      </>
                    )}
                  </td>
                )}
                <td className="space-y-1 px-3 py-2">
                  <WarningTitle warning={row} />
                  <p className="text-slate-800">{row.message}</p>
                  <WarningTimes warning={row} />
                  <WarningMutes mutes={row.mutes} />
                </td>
                <td className="px-3 py-2">
                  <Link href={`/t/${row.tenantSlug}`} className="font-medium text-sky-800 hover:underline">
                    {row.tenantName}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">{row.tenantSlug}</div>
                </td>
                <td className="px-3 py-2 whitespace-nowrap">{row.state === "open" ? "Open" : "Acknowledged"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
