"use client";

import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useId } from "react";
import { Chart, type ChartConfig, type ChartLine } from "@/components/charts/chart";
import { useChartRange } from "@/components/charts/use-chart-range";
import { formatInstant } from "@/lib/charts/ticks";
import { zoomRange, type RangeSpec } from "@/lib/charts/time-range";
import { describeLoadError } from "@/lib/client/load-error";
import { tunnelSeriesQuery } from "@/lib/client/queries";
import type { TunnelSeries } from "@/lib/queries/tunnel-telemetry";
import { throughputLines } from "./throughput-lines";

type Tunnel = { id: string; name: string; ordinal: number };

/** The URL's `compare=<id>,<id>`, kept to two tunnels of this tenant; anything else falls back to the first two. */
export function comparedTunnels(param: string | null, tunnels: readonly Tunnel[]): [Tunnel, Tunnel] | null {
  if (tunnels.length < 2) return null;
  const wanted = (param ?? "").split(",").map((id) => tunnels.find((t) => t.id === id));
  const [a, b] = wanted;
  return a && b && a.id !== b.id ? [a, b] : [tunnels[0]!, tunnels[1]!];
}

/**
 * Two tunnels of the tenant on one chart each for round-trip time and throughput, over the
 * page's range. Which two is kept in the URL (`compare=`), so the comparison can be shared.
 * Only this tenant's tunnels can be chosen; each series is read through the same authorised
 * route as the tunnel's own charts.
 */
export function TunnelCompare({ tunnels, tenantSlug }: { tunnels: readonly Tunnel[]; tenantSlug: string }) {
  const { range, setRange, setParam } = useChartRange();
  const id = useId();
  const chosen = comparedTunnels(useSearchParams().get("compare"), tunnels);
  if (!chosen || !range) return null;
  const [a, b] = chosen;
  // Choosing the tunnel the other list shows swaps the two, so the order can be turned round.
  const choose = (which: 0 | 1, tunnelId: string) => {
    const other = chosen[which === 0 ? 1 : 0];
    const next = which === 0 ? [tunnelId, other.id === tunnelId ? a.id : b.id] : [other.id === tunnelId ? b.id : a.id, tunnelId];
    setParam("compare", next.join(","));
  };
  return (
    <article aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h3 id={`${id}-heading`} className="font-semibold">
        Compare tunnels
      </h3>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        {([0, 1] as const).map((which) => (
          <label key={which} className="grid gap-0.5">
            <span className="text-xs text-slate-600">{which === 0 ? "First tunnel" : "Second tunnel"}</span>
            <select value={chosen[which].id} onChange={(e) => choose(which, e.target.value)} className="rounded-md border border-slate-300 px-2 py-1">
              {tunnels.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} #{t.ordinal}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <CompareCharts a={a} b={b} range={range} onZoom={(from, to, [left, right]) => setRange(zoomRange(from, to, { from: left, to: right }))} exportName={[tenantSlug, `${a.name} vs ${b.name}`]} />
    </article>
  );
}

function CompareCharts({ a, b, range, onZoom, exportName }: { a: Tunnel; b: Tunnel; range: RangeSpec; onZoom: (from: number, to: number, domain: readonly [number, number]) => void; exportName: string[] }) {
  const first = useQuery(tunnelSeriesQuery(a.id, range));
  const second = useQuery(tunnelSeriesQuery(b.id, range));
  const error = first.error ?? second.error;
  if (error) return <p role="alert" className="text-sm text-red-900">{describeLoadError(error, "the comparison")}</p>;
  if (!first.data || !second.data) return <p role="status" className="text-sm text-slate-500">Loading the comparison…</p>;
  const [da, db] = [first.data, second.data];
  const common = {
    range: da.window.spoken,
    xDomain: [Math.min(da.from, db.from), Math.max(da.to, db.to)] as const,
    xAxis: da.window.axis,
    maxGapMs: Math.max(da.gapMs, db.gapMs),
    emptyMessage: `No measurements in ${da.window.spoken}.`,
    exportName,
  };
  const rtt = (data: TunnelSeries, tunnel: Tunnel, style: Pick<ChartLine, "color" | "dashed">): ChartLine => {
    const source = data.series.find((s) => s.side === "source");
    return { key: tunnel.id, label: `${tunnel.name}: from the source gateway`, ...style, points: (source?.points ?? []).map((p) => ({ x: p.at, y: p.rttMs })) };
  };
  const sent = (data: TunnelSeries, tunnel: Tunnel, style: Pick<ChartLine, "color" | "dashed">): ChartLine => {
    const [toAvs] = throughputLines(data, `${tunnel.name}: `);
    return { ...toAvs!, key: tunnel.id, ...style };
  };
  const charts: ChartConfig[] = [
    { ...common, title: "Round-trip time", unit: "ms", lines: [rtt(da, a, { color: "source", dashed: false }), rtt(db, b, { color: "avs", dashed: true })] },
    {
      ...common,
      title: "Throughput source → AVS",
      unit: "Mbit/s",
      maxGapMs: Math.max(common.maxGapMs, da.throughput.bucketMs * 1.5),
      lines: [sent(da, a, { color: "source", dashed: false }), sent(db, b, { color: "avs", dashed: true })],
    },
  ];
  return (
    <div className="space-y-1">
      <p className="text-sm text-slate-500">
        {a.name} and {b.name}, {da.window.spoken}
        {first.dataUpdatedAt ? `; read ${formatInstant(first.dataUpdatedAt)}` : ""}.
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        {charts.map((config) => (
          <Chart key={config.title} config={config} onZoom={onZoom} />
        ))}
      </div>
    </div>
  );
}
