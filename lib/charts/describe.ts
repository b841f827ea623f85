/**
 * Words for a chart: the label a screen reader announces instead of the drawing, and the
 * numbers the legend prints. Pure, so the summary is tested rather than hoped for.
 */
import type { XY } from "./downsample";

/** Precision a reader can use: hundredths of small values, whole numbers of large ones. */
export function formatValue(value: number, unit: string): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** A bit rate in the largest unit that keeps it at 1 or more: 950 kbit/s, 1.20 Gbit/s. */
export function formatBitRate(bitsPerSecond: number): string {
  const units = [
    [1e9, "Gbit/s"],
    [1e6, "Mbit/s"],
    [1e3, "kbit/s"],
  ] as const;
  const [scale, unit] = units.find(([size]) => Math.abs(bitsPerSecond) >= size) ?? [1, "bit/s"];
  return formatValue(bitsPerSecond / scale, unit);
}

/** The newest drawn value of a series, or null when it has none. */
export function latestValue(points: readonly XY[]): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const y = points[i]!.y;
    if (y !== null && Number.isFinite(y)) return y;
  }
  return null;
}

export function peakValue(points: readonly XY[]): number | null {
  let peak: number | null = null;
  for (const { y } of points) if (y !== null && Number.isFinite(y) && (peak === null || y > peak)) peak = y;
  return peak;
}

export type ChartSummaryInput = {
  title: string;
  /** "the last 24 hours". */
  range: string;
  unit: string;
  series: readonly { label: string; points: readonly XY[] }[];
  references?: readonly { label: string; y: number }[];
};

/** "Round-trip time over the last hour. Source gateway: latest 12.3 ms, highest 40.0 ms. …" */
export function describeChart(input: ChartSummaryInput): string {
  const parts = [`${input.title} over ${input.range}.`];
  for (const series of input.series) {
    const latest = latestValue(series.points);
    const peak = peakValue(series.points);
    parts.push(
      latest === null || peak === null
        ? `${series.label}: no measurements.`
        : `${series.label}: latest ${formatValue(latest, input.unit)}, highest ${formatValue(peak, input.unit)}.`,
    );
  }
  for (const reference of input.references ?? []) parts.push(`${reference.label}: ${formatValue(reference.y, input.unit)}.`);
  return parts.join(" ");
}
