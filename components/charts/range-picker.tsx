"use client";

import { CHART_RANGE_KEYS, CHART_RANGES, type ChartRange } from "@/lib/charts/ranges";

/**
 * The chart range as a real radio group: native radios give arrow-key movement, one tab stop and
 * the checked state to assistive technology for free; they are only styled as segmented buttons.
 */
export function RangePicker({ name, value, onChange, label }: { name: string; value: ChartRange; onChange: (range: ChartRange) => void; label: string }) {
  return (
    <fieldset className="inline-flex">
      <legend className="sr-only">{label}</legend>
      <div className="inline-flex overflow-hidden rounded-md border border-slate-300 text-sm">
        {CHART_RANGE_KEYS.map((range) => (
          <label key={range} className="cursor-pointer border-l border-slate-300 first:border-l-0">
            <input type="radio" name={name} value={range} checked={value === range} onChange={() => onChange(range)} className="peer sr-only" />
            <span className="block px-3 py-1 text-slate-700 peer-checked:bg-sky-700 peer-checked:font-medium peer-checked:text-white peer-focus-visible:outline peer-focus-visible:outline-2 peer-focus-visible:-outline-offset-4 peer-focus-visible:outline-slate-900 hover:bg-slate-100 peer-checked:hover:bg-sky-800">
              {CHART_RANGES[range].label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
