"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { rangeSearch, readRangeParams, resolveRange, TimeRangeError, type RangeSpec } from "@/lib/charts/time-range";

/** The URL parameters a chart range owns; everything else on the page's query is left alone. */
const RANGE_PARAMS = ["range", "from", "to"] as const;

/**
 * The tenant page's chart range, kept in the URL so a copied link shows the same window. Every
 * chart on the page reads the one range; a change is a navigation (back returns to the previous
 * range) that does not scroll. It is the browser's own history entry (Next.js keeps
 * useSearchParams in step with it), not a router navigation: that would render the whole page on
 * the server again, every tunnel's reads included, for what the charts fetch for themselves.
 */
export function useChartRange(): { range: RangeSpec | null; error: string | null; setRange: (range: RangeSpec) => void; setParam: (name: string, value: string | null) => void } {
  const params = useSearchParams();
  const pathname = usePathname();
  const { range, error } = useMemo(() => {
    try {
      const range = readRangeParams({ range: params.get("range"), from: params.get("from"), to: params.get("to") });
      // Checked here too, so a bad range is explained rather than sent and refused.
      resolveRange(range, Date.now());
      return { range, error: null };
    } catch (caught) {
      if (caught instanceof TimeRangeError) return { range: null, error: caught.message };
      throw caught;
    }
  }, [params]);
  const navigate = useCallback(
    (change: (query: URLSearchParams) => void) => {
      const query = new URLSearchParams(params.toString());
      change(query);
      const search = query.toString();
      window.history.pushState(null, "", search ? `${pathname}?${search}` : pathname);
    },
    [params, pathname],
  );
  const setRange = useCallback(
    (next: RangeSpec) =>
      navigate((query) => {
        for (const name of RANGE_PARAMS) query.delete(name);
        for (const [name, value] of new URLSearchParams(rangeSearch(next))) query.set(name, value);
      }),
    [navigate],
  );
  const setParam = useCallback((name: string, value: string | null) => navigate((query) => (value === null ? query.delete(name) : query.set(name, value))), [navigate]);
  return { range, error, setRange, setParam };
}
