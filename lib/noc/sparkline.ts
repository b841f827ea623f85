/**
 * The NOC wall's latency sparklines as one SVG path each. A wall of a thousand Recharts charts
 * takes seconds per refresh; a path string per tile costs next to nothing to build and paint.
 */

export type SparklineOptions = {
  /** Kept clear above and below the line so the stroke is not clipped, in the same units as height. */
  padding?: number;
  /**
   * The smallest value range the height stands for, as a fraction of the largest value. Without
   * it a 10.0→10.4 ms wobble would fill the tile top to bottom and look like an incident.
   */
  minRelativeSpan?: number;
};

const round = (n: number) => Math.round(n * 10) / 10;

function assertDimension(name: string, value: number) {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`A sparkline's ${name} must be a finite number above 0; got ${String(value)}.`);
  }
}

/**
 * An SVG path (`d`) through `values`, spread evenly across `width`, highest value at the top.
 * A null (or non-finite) value is a gap: the line stops and starts again after it, and a lone
 * point between two gaps is drawn as a dot (a zero-length segment, which round caps paint).
 * A flat series is drawn along the middle. No values at all: an empty path.
 */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number, options: SparklineOptions = {}): string {
  assertDimension("width", width);
  assertDimension("height", height);
  const padding = Math.min(options.padding ?? 0, height / 2);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return "";

  const minSpan = Math.abs(max) * Math.max(0, options.minRelativeSpan ?? 0);
  if (max - min < minSpan) {
    const centre = (min + max) / 2;
    min = centre - minSpan / 2;
    max = centre + minSpan / 2;
  }
  const span = max - min;
  const drawable = height - 2 * padding;
  const y = (v: number) => (span === 0 ? height / 2 : padding + ((max - v) / span) * drawable);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const x = (i: number) => (values.length > 1 ? i * step : width / 2);

  const parts: string[] = [];
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      drawing = false;
      return;
    }
    const point = `${round(x(i))} ${round(y(v))}`;
    const next = values[i + 1];
    const isolated = !drawing && (next === undefined || next === null || !Number.isFinite(next));
    parts.push(drawing ? `L${point}` : isolated ? `M${point}h0` : `M${point}`);
    drawing = true;
  });
  return parts.join("");
}
