/**
 * A chart's time range as the URL carries it, and the window it means at a given moment. Pure:
 * the page, the series route and the browser all read one range through these functions, so a
 * copied link shows the same window everywhere.
 *
 * In the URL a range is either a preset (`range=6h`, always ending now) or a custom pair
 * (`from=…&to=…`), each end an ISO 8601 time (`2026-12-04T10:00Z`; without an offset it is UTC,
 * as the axes are), epoch milliseconds, or relative to now (`now`, `now-90m`, `now-2d`).
 * A range ending at `now` is live (it slides and refreshes); one with two fixed ends is not.
 */
import { CHART_RANGES, DEFAULT_CHART_RANGE, parseChartRange, type ChartRange } from "./ranges";
import { formatInstant } from "./ticks";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const TIME_RANGE_LIMITS = {
  /** How far back any history is kept (the 1-hour roll-ups, lib/telemetry/retention.ts). */
  historyMs: 400 * DAY_MS,
  /** Narrower than this a chart of minute roll-ups or 30-second samples has nothing to draw. */
  minSpanMs: MINUTE_MS,
  /** As wide as the history: a wider chart would only add empty space. */
  maxSpanMs: 400 * DAY_MS,
};

/** A range as the URL writes it: a preset, or two ends as written (ISO, epoch ms or now-relative). */
export type RangeSpec = { preset: ChartRange } | { from: string; to: string };

/** The window a range means at one moment, with what a chart says about it. */
export type ChartWindow = {
  from: number;
  to: number;
  /** True when its end is relative to now (or past it): it slides with time, and its chart refreshes. */
  live: boolean;
  /** The start was moved forward to the oldest history kept (or the end back to now). */
  clamped: boolean;
  /** The window in words, e.g. "the last 6 hours" or "4 Dec 10:00 to 4 Dec 12:00 UTC". */
  spoken: string;
  /** Times of day for spans up to two days, dates beyond. */
  axis: "time" | "date";
};

/** A range that cannot be shown; the message says what to write instead. */
export class TimeRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "TimeRangeError";
  }
}

const RELATIVE = /^now(?:([+-])(\d{1,6})([mhdw]))?$/;
const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS } as const;
// Date, optional time (minutes, optional seconds and fraction), optional Z or ±hh:mm.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const EPOCH_MS = /^\d{12,14}$/;
const HINT = "Write an ISO 8601 time (2026-12-04T10:00Z; without an offset it is UTC), epoch milliseconds, or now, now-6h, now-30m, now-7d.";

/**
 * One end of a range, as an instant. `now` anchors the relative forms. Throws a TimeRangeError
 * naming the parameter for anything else, including impossible dates (31 February).
 */
export function parseInstant(text: string, now: number, name = "time"): number {
  const value = text.trim();
  if (value.length === 0) throw new TimeRangeError(`${name} is empty. ${HINT}`);
  const shown = JSON.stringify(value.slice(0, 40));
  const relative = RELATIVE.exec(value.toLowerCase());
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign) return now;
    const offset = Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return sign === "-" ? now - offset : now + offset;
  }
  if (EPOCH_MS.test(value)) return Number(value);
  const iso = ISO.exec(value);
  if (!iso) throw new TimeRangeError(`${name} ${shown} is not a time. ${HINT}`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", , zone] = iso;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  // Date.UTC rolls 31 Feb over into March; a time that does not exist is a typo, not March.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new TimeRangeError(`${name} ${shown} is not a date and time that exists. ${HINT}`);
  }
  const fraction = iso[7] ? `.${iso[7].slice(0, 3)}` : "";
  const offset = !zone || zone.toUpperCase() === "Z" ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const parsed = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${offset}`);
  if (!Number.isFinite(parsed)) throw new TimeRangeError(`${name} ${shown} is not a time. ${HINT}`);
  return parsed;
}

/**
 * The range a URL's query names. No parameters: the default preset. `range` and `from`/`to`
 * together are ambiguous and refused, as is half a custom range.
 */
export function readRangeParams(params: { range?: string | null; from?: string | null; to?: string | null }): RangeSpec {
  const range = params.range ?? null;
  const from = params.from ?? null;
  const to = params.to ?? null;
  if (range !== null && (from !== null || to !== null)) throw new TimeRangeError("Give either range or from and to, not both.");
  if (range !== null) {
    const preset = parseChartRange(range);
    if (!preset) throw new TimeRangeError(`range ${JSON.stringify(range.slice(0, 20))} is not known: use one of ${Object.keys(CHART_RANGES).join(", ")}, or from and to.`);
    return { preset };
  }
  if (from === null && to === null) return { preset: DEFAULT_CHART_RANGE };
  if (from === null) throw new TimeRangeError("from is missing: a custom range needs both from and to.");
  return { from, to: to ?? "now" };
}

/**
 * The window a range means at `now`: a start before the oldest history kept is moved up to it
 * (the chart says so), an end after now is moved back to now. An inverted, empty, too narrow or
 * too wide range is refused with a message that says what to change.
 */
export function resolveRange(spec: RangeSpec, now: number, limits = TIME_RANGE_LIMITS): ChartWindow {
  if ("preset" in spec) {
    const preset = CHART_RANGES[spec.preset];
    return { from: now - preset.ms, to: now, live: true, clamped: false, spoken: preset.spoken, axis: preset.axis };
  }
  const from = parseInstant(spec.from, now, "from");
  const to = parseInstant(spec.to, now, "to");
  if (from >= to) throw new TimeRangeError(`from (${formatInstant(from)}) must be before to (${formatInstant(to)}): swap them.`);
  const span = to - from;
  if (span < limits.minSpanMs) throw new TimeRangeError(`The range spans ${Math.round(span / 1000)} s; make it at least ${limits.minSpanMs / MINUTE_MS} minute.`);
  if (span > limits.maxSpanMs) throw new TimeRangeError(`The range spans ${Math.round(span / DAY_MS)} days; at most ${Math.round(limits.maxSpanMs / DAY_MS)} days of history are kept.`);
  const oldest = now - limits.historyMs;
  if (to <= oldest) throw new TimeRangeError(`The range ends ${formatInstant(to)}, before the oldest history kept (${formatInstant(oldest)}).`);
  if (from >= now) throw new TimeRangeError(`The range starts ${formatInstant(from)}, after now: there is no data yet.`);
  const clampedFrom = Math.max(from, oldest);
  const clampedTo = Math.min(to, now);
  if (clampedTo - clampedFrom < limits.minSpanMs) throw new TimeRangeError(`Less than ${limits.minSpanMs / MINUTE_MS} minute of the range lies before now; move it back.`);
  const live = /^now/i.test(spec.to.trim()) || to >= now;
  const axis = clampedTo - clampedFrom > 2 * DAY_MS ? "date" : "time";
  return {
    from: clampedFrom,
    to: clampedTo,
    live,
    clamped: clampedFrom !== from || clampedTo !== to,
    spoken: `${formatInstant(clampedFrom)} to ${live ? "now" : formatInstant(clampedTo)}`,
    axis,
  };
}

/** The query string of a range, for the URL, the series route and the query key alike. */
export function rangeSearch(spec: RangeSpec): string {
  const query = new URLSearchParams("preset" in spec ? { range: spec.preset } : { from: spec.from, to: spec.to });
  return query.toString();
}

/** A fixed window as a custom range (what a drag-zoom or the from/to form writes). */
export function fixedRange(from: number, to: number): RangeSpec {
  return { from: new Date(Math.round(from)).toISOString(), to: new Date(Math.round(to)).toISOString() };
}

export function sameRange(a: RangeSpec, b: RangeSpec): boolean {
  return rangeSearch(a) === rangeSearch(b);
}

/**
 * A span dragged across a chart as a range: widened around its middle to the narrowest a chart
 * shows, and kept inside the chart's window. Widened past the right edge of a live chart it
 * would end after now, and the part before now (under a minute) would be refused.
 */
export function zoomRange(from: number, to: number, within: { from: number; to: number }, limits = TIME_RANGE_LIMITS): RangeSpec {
  const span = Math.max(to - from, limits.minSpanMs);
  const start = Math.max(within.from, Math.min((from + to) / 2 - span / 2, within.to - span));
  return fixedRange(start, start + span);
}
