"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Chart, type ChartConfig, type ChartLine } from "@/components/charts/chart";
import { RangePicker } from "@/components/charts/range-picker";
import { useChartRange } from "@/components/charts/use-chart-range";
import { zoomRange, type RangeSpec } from "@/lib/charts/time-range";
import { formatInstant } from "@/lib/charts/ticks";
import { describeLoadError } from "@/lib/client/load-error";
import { tunnelSeriesQuery } from "@/lib/client/queries";
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import type { SeriesPoint, TunnelSeries } from "@/lib/queries/tunnel-telemetry";
import { throughputLines } from "./throughput-lines";
import { TunnelHealth } from "./tunnel-health";

const LINE_STYLE = {
  source: { color: "source", dashed: false },
  avs: { color: "avs", dashed: true },
} as const;

/** One chart's lines: a line per end, as each end's agent measured it. */
function linesOf(data: TunnelSeries, pick: (p: SeriesPoint) => number | null): ChartLine[] {
  return data.series.map((s) => ({
    key: s.side,
    label: `Measured from the ${SIDE_NAME[s.side]}`,
    ...LINE_STYLE[s.side],
    points: s.points.map((p) => ({ x: p.at, y: pick(p) })),
  }));
}

/**
 * A tunnel's health, and its RTT, jitter, loss and throughput over the page's range (kept in
 * the URL), live. The server hands the first range in with the page; switching range or a
 * refresh keeps the charts that are up on screen (dimmed while the new range loads) instead of
 * blanking them. Dragging across a chart zooms every chart of the page to that span.
 */
export function TunnelCharts({ tunnelId, tunnelName, tenantSlug }: { tunnelId: string; tunnelName: string; tenantSlug: string }) {
  const { range, error: rangeError, setRange } = useChartRange();
  if (!range) {
    return (
      <div className="space-y-3">
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          The time range in the address cannot be shown: {rangeError} Choose a range below.
        </p>
        <RangePicker name={`range-${tunnelId}`} value={null} onChange={setRange} label={`Time range for tunnel ${tunnelName}`} />
      </div>
    );
  }
  return <TunnelChartsFor range={range} setRange={setRange} tunnelId={tunnelId} tunnelName={tunnelName} tenantSlug={tenantSlug} />;
}

function TunnelChartsFor({ range, setRange, tunnelId, tunnelName, tenantSlug }: { range: RangeSpec; setRange: (range: RangeSpec) => void; tunnelId: string; tunnelName: string; tenantSlug: string }) {
  const { data, error, isPlaceholderData, isFetching, dataUpdatedAt } = useQuery(tunnelSeriesQuery(tunnelId, range));
  const charts = useMemo(() => (data ? chartConfigs(data, [tenantSlug, tunnelName]) : null), [data, tenantSlug, tunnelName]);
  const switching = isPlaceholderData && isFetching;

  return (
    <div className="space-y-4">
      {data ? <TunnelHealth data={data} /> : error ? null : <HealthSkeleton />}
      <div className="space-y-1">
        <RangePicker name={`range-${tunnelId}`} value={range} onChange={setRange} label={`Time range for tunnel ${tunnelName}`} />
        <p aria-live="polite" className="text-sm text-slate-500">
          {switching
            ? "Loading the new range…"
            : data
              ? `Showing ${data.window.spoken}${data.window.clamped ? " (moved to the history kept)" : ""}${data.window.live ? "; refreshes every 30 s." : "."}`
              : null}
        </p>
      </div>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {describeLoadError(error, "the latency history")}
          {data && dataUpdatedAt ? ` Showing the data read at ${formatInstant(dataUpdatedAt)}.` : ""}
        </p>
      )}
      {charts ? (
        <div aria-busy={switching} className={`grid gap-6 lg:grid-cols-2 ${switching ? "opacity-60 transition-opacity" : ""}`}>
          {charts.map((config) => (
            <Chart key={config.title} config={config} onZoom={(from, to, [left, right]) => setRange(zoomRange(from, to, { from: left, to: right }))} />
          ))}
        </div>
      ) : error ? null : (
        <ChartsSkeleton />
      )}
    </div>
  );
}

function chartConfigs(data: TunnelSeries, exportName: string[]): ChartConfig[] {
  const common = {
    range: data.window.spoken,
    xDomain: [data.from, data.to] as const,
    xAxis: data.window.axis,
    maxGapMs: data.gapMs,
    emptyMessage: `No measurements in ${data.window.spoken}.`,
    exportName,
  };
  const keptFrom = data.throughput.keptFrom;
  return [
    {
      ...common,
      title: "Round-trip time",
      unit: "ms",
      lines: linesOf(data, (p) => p.rttMs),
      references: [{ label: "Objective", y: data.latencyObjectiveMs, color: "objective" }],
    },
    { ...common, title: "Jitter", unit: "ms", lines: linesOf(data, (p) => p.jitterMs) },
    { ...common, title: "Packet loss", unit: "%", lines: linesOf(data, (p) => p.lossPct) },
    {
      ...common,
      title: "Throughput",
      unit: "Mbit/s",
      lines: throughputLines(data),
      maxGapMs: Math.max(data.gapMs, data.throughput.bucketMs * 1.5),
      emptyMessage:
        data.to <= keptFrom
          ? `Throughput is kept for a week; this range ends before ${formatInstant(keptFrom)}.`
          : `No counters reported in ${data.window.spoken}.`,
    },
  ];
}

/** The shapes of what is coming, at its size, so nothing jumps when it arrives. */
function HealthSkeleton() {
  return (
    <div aria-hidden className="animate-pulse space-y-3">
      <div className="h-5 w-64 rounded bg-slate-200" />
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="h-16 rounded-md bg-slate-100" />
        <div className="h-16 rounded-md bg-slate-100" />
      </div>
    </div>
  );
}

function ChartsSkeleton() {
  return (
    <div role="status" className="grid gap-6 lg:grid-cols-2">
      <span className="sr-only">Loading the latency history…</span>
      {["Round-trip time", "Jitter", "Packet loss", "Throughput"].map((title) => (
        <div key={title} aria-hidden className="animate-pulse">
          <div className="text-sm font-medium text-slate-400">{title}</div>
          <div className="mt-1 h-[180px] rounded-md bg-slate-100" />
          <div className="mt-1 h-3 w-40 rounded bg-slate-100" />
        </div>
      ))}
    </div>
  );
}
