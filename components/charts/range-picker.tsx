"use client";

import { useId, useState, type FormEvent } from "react";
import { CHART_RANGE_KEYS, CHART_RANGES, type ChartRange } from "@/lib/charts/ranges";
import { resolveRange, TimeRangeError, type RangeSpec } from "@/lib/charts/time-range";

/**
 * The chart range: presets as a real radio group (native radios give arrow-key movement, one
 * tab stop and the checked state to assistive technology for free; they are only styled as
 * segmented buttons), and a custom from/to that takes what the URL takes (UTC times, or
 * now-relative such as now-6h), checked before it is applied.
 */
/** `value` null: the address holds no range that can be shown; nothing is checked. */
export function RangePicker({ name, value, onChange, label }: { name: string; value: RangeSpec | null; onChange: (range: RangeSpec) => void; label: string }) {
  const preset = value && "preset" in value ? value.preset : null;
  return (
    <div className="flex flex-wrap items-end gap-3">
      <fieldset className="inline-flex">
        <legend className="sr-only">{label}</legend>
        <div className="inline-flex overflow-hidden rounded-md border border-slate-300 text-sm">
          {CHART_RANGE_KEYS.map((range: ChartRange) => (
            <label key={range} className="cursor-pointer border-l border-slate-300 first:border-l-0">
              <input type="radio" name={name} value={range} checked={preset === range} onChange={() => onChange({ preset: range })} className="peer sr-only" />
              <span className="block px-3 py-1 text-slate-700 peer-checked:bg-sky-700 peer-checked:font-medium peer-checked:text-white peer-focus-visible:outline peer-focus-visible:outline-2 peer-focus-visible:-outline-offset-4 peer-focus-visible:outline-slate-900 hover:bg-slate-100 peer-checked:hover:bg-sky-800">
                {CHART_RANGES[range].label}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <CustomRangeForm key={JSON.stringify(value)} value={value} onChange={onChange} />
    </div>
  );
}

const toText = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function CustomRangeForm({ value, onChange }: { value: RangeSpec | null; onChange: (range: RangeSpec) => void }) {
  const id = useId();
  const initial = value === null ? { from: "", to: "now" } : "preset" in value ? { from: `now-${value.preset}`, to: "now" } : value;
  const [from, setFrom] = useState(/^\d{4}-/.test(initial.from) ? toText(Date.parse(initial.from)) : initial.from);
  const [to, setTo] = useState(/^\d{4}-/.test(initial.to) ? toText(Date.parse(initial.to)) : initial.to);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { from: from.trim(), to: to.trim() || "now" };
    try {
      resolveRange(next, Date.now());
    } catch (caught) {
      if (!(caught instanceof TimeRangeError)) throw caught;
      setError(caught.message);
      return;
    }
    setError(null);
    onChange(next);
  };
  const field = "w-40 rounded-md border border-slate-300 px-2 py-1 font-mono text-sm";
  return (
    <form onSubmit={submit} aria-label="Custom time range" className="flex flex-wrap items-end gap-2 text-sm">
      <label className="grid gap-0.5">
        <span className="text-xs text-slate-600">From (UTC)</span>
        <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`} aria-invalid={error !== null} className={field} />
      </label>
      <label className="grid gap-0.5">
        <span className="text-xs text-slate-600">To (UTC)</span>
        <input name="to" value={to} onChange={(e) => setTo(e.target.value)} aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`} aria-invalid={error !== null} className={field} />
      </label>
      <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 font-medium text-slate-800 hover:bg-slate-100">
        Apply
      </button>
      <p id={`${id}-hint`} className="basis-full text-xs text-slate-500">
        A time such as 2026-12-04 10:00, or now, now-6h, now-30m. Drag across a chart to zoom in.
      </p>
      {error && (
        <p id={`${id}-error`} role="alert" className="basis-full text-xs text-red-800">
          {error}
        </p>
      )}
    </form>
  );
}
