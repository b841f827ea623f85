/**
 * The time ranges a tunnel's charts offer. One table, read by the series route (what it accepts),
 * the range buttons (what they show) and the axis (how it labels time), so they cannot drift.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const CHART_RANGES = {
  "1h": { label: "1 h", spoken: "the last hour", ms: HOUR_MS, axis: "time" },
  "6h": { label: "6 h", spoken: "the last 6 hours", ms: 6 * HOUR_MS, axis: "time" },
  "24h": { label: "24 h", spoken: "the last 24 hours", ms: DAY_MS, axis: "time" },
  "7d": { label: "7 d", spoken: "the last 7 days", ms: 7 * DAY_MS, axis: "date" },
  "30d": { label: "30 d", spoken: "the last 30 days", ms: 30 * DAY_MS, axis: "date" },
} as const satisfies Record<string, { label: string; spoken: string; ms: number; axis: "time" | "date" }>;

export type ChartRange = keyof typeof CHART_RANGES;
export const CHART_RANGE_KEYS = Object.keys(CHART_RANGES) as ChartRange[];

/** What the tenant page opens with: a day shows today's pattern without hiding the last hour. */
export const DEFAULT_CHART_RANGE: ChartRange = "24h";

/** A range from a query string, or null when it is not one of ours (the caller says what is). */
export function parseChartRange(value: string | null | undefined): ChartRange | null {
  return typeof value === "string" && Object.hasOwn(CHART_RANGES, value) ? (value as ChartRange) : null;
}
