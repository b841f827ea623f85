import type { ChartLine } from "@/components/charts/chart";
import type { Side } from "@/lib/domain/tenant-options";
import type { TunnelSeries } from "@/lib/queries/tunnel-telemetry";
import type { ThroughputPoint } from "@/lib/queries/tunnel-throughput";

/**
 * A tunnel's two directions as chart lines in Mbit/s. Each direction is what its sending end
 * counted out of its tunnel interface; when that end reports no counters (its agent is down or
 * old), what the receiving end counted in stands for it, and the label says which.
 */
export function throughputLines(data: TunnelSeries, labelPrefix = ""): ChartLine[] {
  const bySide = new Map(data.throughput.series.map((s) => [s.side, s.points]));
  const measured = (points: ThroughputPoint[] | undefined, key: "txBps" | "rxBps") => (points ?? []).some((p) => p[key] !== null);
  const direction = (sender: Side, receiver: Side, label: string, style: Pick<ChartLine, "color" | "dashed">): ChartLine => {
    const sent = bySide.get(sender);
    const useSent = measured(sent, "txBps") || !measured(bySide.get(receiver), "rxBps");
    const points = (useSent ? sent : bySide.get(receiver)) ?? [];
    const key = useSent ? "txBps" : "rxBps";
    return {
      key: `${sender}-to-${receiver}`,
      label: `${labelPrefix}${label}${useSent ? "" : " (as received)"}`,
      ...style,
      points: points.map((p) => ({ x: p.at, y: p[key] === null ? null : Math.round(p[key] / 1000) / 1000 })),
    };
  };
  return [direction("source", "avs", "Source → AVS", { color: "source", dashed: false }), direction("avs", "source", "AVS → source", { color: "avs", dashed: true })];
}
