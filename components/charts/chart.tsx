"use client";

/**
 * The one wrapper around Recharts: every detailed chart in the console is drawn through it, so
 * they share colours (CSS variables from app/globals.css), axes in UTC, the gap rule, the
 * thinning and the accessible summary. Live data redraws without animation: a line that slides
 * every 30 s draws the eye for no reason and costs a frame budget per refresh.
 */
import { useMemo, useRef, useState, type PointerEvent } from "react";
import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chartCsv, chartCsvName } from "@/lib/charts/csv";
import { describeChart, formatValue, latestValue } from "@/lib/charts/describe";
import { prepareSeries, type XY } from "@/lib/charts/downsample";
import { formatInstant, formatTick, timeTicks } from "@/lib/charts/ticks";

/** The colours a chart may use; each is `--color-chart-<name>` in app/globals.css. */
export type ChartColor = "source" | "avs" | "objective";
const colour = (name: ChartColor | "grid" | "axis") => `var(--color-chart-${name})`;

export type ChartLine = {
  key: string;
  label: string;
  color: ChartColor;
  /** A second way to tell lines apart than colour. */
  dashed?: boolean;
  points: readonly XY[];
};

export type ChartConfig = {
  /** What is measured, e.g. "Round-trip time"; heads the chart and starts its summary. */
  title: string;
  /** The range in words for the summary, e.g. "the last 24 hours". */
  range: string;
  unit: string;
  xDomain: readonly [number, number];
  xAxis: "time" | "date";
  lines: readonly ChartLine[];
  /** Horizontal lines such as the tenant's objective; the axis grows to show them. */
  references?: readonly { label: string; y: number; color: ChartColor }[];
  /** Break a line where consecutive points are further apart than this; null never breaks. */
  maxGapMs: number | null;
  /** How many points each line keeps after thinning (about one per 2 px of a wide chart). */
  maxPoints?: number;
  height?: number;
  /** What to say when no line has a single value. */
  emptyMessage: string;
  /** Words for the exported file's name (tenant, tunnel); the title and window are added. */
  exportName?: readonly string[];
};

/** The plot area's inset in the drawing: the Y axis on the left, the margin on the right. */
const Y_AXIS_WIDTH = 44;
// The right margin holds half a time label, so a tick at the window's end (a zoom to whole minutes) is not cut off.
const MARGIN = { top: 8, right: 20, bottom: 0, left: 0 };
/** A drag narrower than this is a click, not a zoom. */
const MIN_DRAG_PX = 6;

export const DEFAULT_MAX_POINTS = 500;

/**
 * `onZoom` makes the drawing a drag target: the span dragged across is shaded (Recharts'
 * ReferenceArea) and handed up as a window on release. Positions are read from the pointer
 * against the plot area's known inset rather than from Recharts' hover state, which follows the
 * nearest point of one line and would snap a zoom to it.
 */
export function Chart({ config, onZoom }: { config: ChartConfig; onZoom?: (from: number, to: number, domain: readonly [number, number]) => void }) {
  const { lines, references = [], unit, xDomain, xAxis, maxGapMs, maxPoints = DEFAULT_MAX_POINTS, height = 180 } = config;
  const drag = useDragZoom(xDomain, onZoom);
  const drawn = useMemo(() => lines.map((line) => ({ ...line, drawn: prepareSeries(line.points, { maxPoints, maxGapMs }) })), [lines, maxPoints, maxGapMs]);
  const summary = describeChart({ title: config.title, range: config.range, unit, series: lines, references });
  const ticks = useMemo(() => timeTicks(xDomain[0], xDomain[1]), [xDomain]);
  const empty = lines.every((line) => latestValue(line.points) === null);

  return (
    <figure className="min-w-0">
      <figcaption className="flex items-baseline justify-between gap-2 text-sm font-medium text-slate-700">
        <span>
          {config.title} <span className="font-normal text-slate-500">({unit})</span>
        </span>
        {config.exportName && !empty && (
          <button type="button" onClick={() => downloadCsv(config)} className="text-xs font-normal text-sky-800 underline hover:text-sky-950">
            Export CSV<span className="sr-only"> of {config.title}</span>
          </button>
        )}
      </figcaption>
      {empty ? (
        <p className="mt-1 grid place-items-center rounded-md border border-dashed border-slate-300 text-sm text-slate-600" style={{ height }}>
          {config.emptyMessage}
        </p>
      ) : (
        <div
          role="img"
          aria-label={summary}
          className={`mt-1 ${onZoom ? "cursor-crosshair touch-none select-none" : ""}`}
          style={{ height }}
          data-x-from={xDomain[0]}
          data-x-to={xDomain[1]}
          {...drag.handlers}
        >
          <ResponsiveContainer width="100%" height="100%">
            {/* The summary speaks for the drawing; its own keyboard layer would be a second, unlabelled stop. */}
            <LineChart margin={MARGIN} accessibilityLayer={false}>
              <CartesianGrid stroke={colour("grid")} vertical={false} />
              <XAxis
                type="number"
                dataKey="x"
                domain={[xDomain[0], xDomain[1]]}
                allowDataOverflow
                ticks={ticks}
                // At most six ticks on round times (timeTicks): all of them fit, none is dropped.
                interval={0}
                tickFormatter={(value: number) => formatTick(value, xAxis)}
                stroke={colour("axis")}
                fontSize={12}
              />
              <YAxis
                type="number"
                domain={[0, "auto"]}
                width={Y_AXIS_WIDTH}
                tickFormatter={(value: number) => String(Number(value.toFixed(2)))}
                stroke={colour("axis")}
                fontSize={12}
              />
              <Tooltip
                isAnimationActive={false}
                labelFormatter={(value) => (typeof value === "number" ? formatInstant(value) : String(value))}
                formatter={(value) => (typeof value === "number" ? formatValue(value, unit) : "no data")}
              />
              {references.map((reference) => (
                <ReferenceLine
                  key={reference.label}
                  y={reference.y}
                  stroke={colour(reference.color)}
                  strokeDasharray="6 4"
                  ifOverflow="extendDomain"
                  label={{ value: `${reference.label} ${formatValue(reference.y, unit)}`, position: "insideTopRight", fill: colour(reference.color), fontSize: 12 }}
                />
              ))}
              {drag.selection && (
                <ReferenceArea x1={drag.selection[0]} x2={drag.selection[1]} ifOverflow="hidden" fill="var(--color-chart-avs)" fillOpacity={0.15} stroke="var(--color-chart-avs)" strokeOpacity={0.5} />
              )}
              {drawn.map((line) => (
                <Line
                  key={line.key}
                  data={line.drawn}
                  dataKey="y"
                  name={line.label}
                  type="linear"
                  stroke={colour(line.color)}
                  strokeWidth={1.5}
                  strokeDasharray={line.dashed ? "5 3" : undefined}
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      <ChartLegend lines={lines} unit={unit} />
    </figure>
  );
}

/** The drag-to-zoom state of one chart: the span being dragged, and the pointer handlers that make it. */
function useDragZoom(xDomain: readonly [number, number], onZoom: ((from: number, to: number, domain: readonly [number, number]) => void) | undefined) {
  const start = useRef<{ px: number; x: number } | null>(null);
  const [selection, setSelection] = useState<[number, number] | null>(null);
  const valueAt = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const left = box.left + MARGIN.left + Y_AXIS_WIDTH;
    const width = Math.max(1, box.width - MARGIN.left - Y_AXIS_WIDTH - MARGIN.right);
    const share = Math.min(1, Math.max(0, (event.clientX - left) / width));
    return xDomain[0] + share * (xDomain[1] - xDomain[0]);
  };
  if (!onZoom) return { selection: null, handlers: {} };
  return {
    selection,
    handlers: {
      onPointerDown: (event: PointerEvent<HTMLDivElement>) => {
        if (event.button !== 0) return;
        event.currentTarget.setPointerCapture?.(event.pointerId);
        start.current = { px: event.clientX, x: valueAt(event) };
      },
      onPointerMove: (event: PointerEvent<HTMLDivElement>) => {
        if (!start.current || Math.abs(event.clientX - start.current.px) < MIN_DRAG_PX) return;
        setSelection([start.current.x, valueAt(event)]);
      },
      onPointerUp: (event: PointerEvent<HTMLDivElement>) => {
        const begun = start.current;
        start.current = null;
        setSelection(null);
        if (!begun || Math.abs(event.clientX - begun.px) < MIN_DRAG_PX) return;
        const end = valueAt(event);
        onZoom(Math.min(begun.x, end), Math.max(begun.x, end), xDomain);
      },
      onPointerCancel: () => {
        start.current = null;
        setSelection(null);
      },
    },
  };
}

/** Hands the browser the chart's points in its window as a file. */
function downloadCsv(config: ChartConfig) {
  const window = { from: config.xDomain[0], to: config.xDomain[1] };
  const blob = new Blob([chartCsv(config.lines, config.unit, window)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = chartCsvName([...(config.exportName ?? []), config.title], window);
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Outside the drawing, as text: each line's swatch, name and newest value. */
function ChartLegend({ lines, unit }: { lines: readonly ChartLine[]; unit: string }) {
  return (
    <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
      {lines.map((line) => {
        const latest = latestValue(line.points);
        return (
          <li key={line.key} className="inline-flex items-center gap-1.5">
            <svg width="20" height="8" aria-hidden>
              <line x1="0" y1="4" x2="20" y2="4" stroke={colour(line.color)} strokeWidth="2" strokeDasharray={line.dashed ? "5 3" : undefined} />
            </svg>
            {line.label}
            <span className="tabular-nums text-slate-500">{latest === null ? "no data" : `latest ${formatValue(latest, unit)}`}</span>
          </li>
        );
      })}
    </ul>
  );
}
