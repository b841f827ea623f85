/**
 * The NOC wall's latency sparklines. The geometry is traced once, here, onto whatever draws it:
 * the wall strokes every tile's line on one canvas (components/noc/sparkline-canvas.tsx), since a
 * thousand SVG elements cost the browser more to lay out and paint than the tiles themselves;
 * `sparklinePath` spells the same geometry as an SVG path.
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

/** What a sparkline is traced onto: a canvas path, an SVG path string, a test's list of points. */
export type SparklinePen = {
  /** Starts a line at the point. */
  moveTo(x: number, y: number): void;
  /** Continues the line to the point. */
  lineTo(x: number, y: number): void;
  /** A value with a gap on both sides: drawn as a dot, not as nothing. */
  dot(x: number, y: number): void;
};

export type SparklineBox = { x: number; y: number; width: number; height: number };

function assertDimension(name: string, value: number) {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`A sparkline's ${name} must be a finite number above 0; got ${String(value)}.`);
  }
}

const finite = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

/**
 * Traces `values` across `box`, spread evenly over its width, highest value at the top. A null
 * (or non-finite) value is a gap: the line stops and starts again after it, and a lone point
 * between two gaps is a dot. A flat series runs along the middle. Returns whether anything was
 * traced (no values at all: nothing).
 */
export function traceSparkline(values: readonly (number | null)[], box: SparklineBox, pen: SparklinePen, options: SparklineOptions = {}): boolean {
  assertDimension("width", box.width);
  assertDimension("height", box.height);
  const padding = Math.min(options.padding ?? 0, box.height / 2);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!finite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return false;

  const minSpan = Math.abs(max) * Math.max(0, options.minRelativeSpan ?? 0);
  if (max - min < minSpan) {
    const centre = (min + max) / 2;
    min = centre - minSpan / 2;
    max = centre + minSpan / 2;
  }
  const span = max - min;
  const drawable = box.height - 2 * padding;
  const step = values.length > 1 ? box.width / (values.length - 1) : 0;
  let drawing = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!finite(v)) {
      drawing = false;
      continue;
    }
    const x = box.x + (values.length > 1 ? i * step : box.width / 2);
    const y = box.y + (span === 0 ? box.height / 2 : padding + ((max - v) / span) * drawable);
    if (drawing) pen.lineTo(x, y);
    else if (!finite(values[i + 1])) pen.dot(x, y);
    else pen.moveTo(x, y);
    drawing = true;
  }
  return true;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The same line as an SVG path (`d`) in a `width`×`height` box: a dot is a zero-length segment,
 * which round caps paint. No values at all: an empty path.
 */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number, options: SparklineOptions = {}): string {
  const parts: string[] = [];
  const point = (x: number, y: number) => `${round(x)} ${round(y)}`;
  traceSparkline(
    values,
    { x: 0, y: 0, width, height },
    {
      moveTo: (x, y) => parts.push(`M${point(x, y)}`),
      lineTo: (x, y) => parts.push(`L${point(x, y)}`),
      dot: (x, y) => parts.push(`M${point(x, y)}h0`),
    },
    options,
  );
  return parts.join("");
}
