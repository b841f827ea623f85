"use client";

import { WARNING_SEVERITY } from "@/lib/domain/status";
import { formatAge } from "@/lib/noc/staleness";
import type { NocWarning } from "@/lib/queries/noc";
import { useCycle } from "./use-cycle";

/** Each warning gets this many ems of the line; as many as fit are shown together. */
const ITEM_EM = 32;
const LEAD_EM = 9;
const GAP_EM = 0.6;
const PAGE_MS = 8_000;
/** The ticker's text against the wall's: read from across the room. */
const TICKER_EM = 1.5;

/**
 * Open warnings along the bottom, worst first, a few at a time: the line pages every 8 s rather
 * than scrolling, so each can be read whole and nothing accumulates between refreshes.
 */
export function WarningTicker({
  warnings,
  total,
  generatedAt,
  width,
  fontPx,
}: {
  warnings: readonly NocWarning[] | null;
  /** All open warnings, of which `warnings` are the worst. */
  total: number;
  generatedAt: string | null;
  width: number;
  fontPx: number;
}) {
  // In ticker ems (TICKER_EM × the wall's): the line's padding (2 × 0.6), the lead, then items with 0.6 em gaps.
  const perPage = Math.max(1, Math.floor((width / (fontPx * TICKER_EM) - 1.2 - LEAD_EM + GAP_EM) / (ITEM_EM + GAP_EM)));
  const list = warnings ?? [];
  const pages = Math.ceil(list.length / perPage);
  const page = useCycle(pages, PAGE_MS);
  const shown = list.slice(page * perPage, (page + 1) * perPage);
  const now = generatedAt ? Date.parse(generatedAt) : null;

  return (
    <section
      aria-label="Open warnings, worst first"
      className="flex h-full items-center gap-[0.6em] overflow-hidden rounded-[0.25em] bg-gray-200 px-[0.6em] dark:bg-gray-900"
      style={{ fontSize: `${TICKER_EM}em` }}
    >
      <div className="shrink-0 text-[0.8em] leading-tight text-gray-700 dark:text-gray-300" style={{ width: `${(LEAD_EM - GAP_EM) / 0.8}em` }}>
        {warnings === null ? (
          "Warnings…"
        ) : list.length === 0 ? (
          "Warnings"
        ) : (
          <>
            Warnings {page * perPage + 1}–{page * perPage + shown.length}
            <br />
            of {total}
            {total > list.length ? ` (worst ${list.length})` : ""}
          </>
        )}
      </div>
      {warnings !== null && list.length === 0 && <p className="text-[1.1em] font-semibold text-green-800 dark:text-green-300">✓ No open warnings</p>}
      <ol className="flex min-w-0 flex-1 gap-[0.6em]">
        {shown.map((warning) => {
          const style = WARNING_SEVERITY[warning.severity];
          return (
            <li key={warning.id} className="flex min-w-0 items-center gap-[0.4em]" style={{ width: `${ITEM_EM}em`, maxWidth: `${ITEM_EM}em` }}>
              <span className={`shrink-0 rounded-[0.2em] px-[0.35em] text-[0.8em] font-bold uppercase ${style.className}`}>
                <span aria-hidden="true">{style.symbol} </span>
                {style.label}
              </span>
              <span className="min-w-0 leading-tight">
                <span className="block truncate font-semibold">
                  {warning.label} · {warning.title}
                  {warning.acknowledged ? " · acknowledged" : ""}
                  {now !== null ? ` · ${formatAge(now - Date.parse(warning.openedAt))}` : ""}
                </span>
                <span className="block truncate text-[0.8em] text-gray-700 dark:text-gray-300">{warning.message}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
