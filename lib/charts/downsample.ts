/**
 * Chart points thinned before drawing. A line chart a few hundred pixels wide cannot show more
 * than a point or two per pixel, and Recharts slows down sharply with thousands of SVG path
 * segments, so each series is cut to at most `maxPoints` first.
 *
 * Min/max per bucket rather than every n-th point or an average: the point of a latency chart is
 * the spike, and both of those would smooth it away. Each bucket keeps its lowest and highest
 * value (in time order) and its first gap marker, so a 2-minute outage inside a 7-day chart still
 * breaks the line, and the series' first and last points are always kept, so the line starts and
 * ends where the data does (the end is "now" on a live chart).
 */

/** One point of one series: time (epoch ms) and value; null draws a gap. */
export type XY = { x: number; y: number | null };

/** Below this a chart has nothing left to draw a shape with. */
export const MIN_POINTS = 5;

export function downsample(points: readonly XY[], maxPoints: number): XY[] {
  if (!Number.isInteger(maxPoints) || maxPoints < MIN_POINTS) {
    throw new RangeError(`maxPoints must be a whole number of at least ${MIN_POINTS}, not ${String(maxPoints)}.`);
  }
  const clean = points.map((p) => (p.y === null || Number.isFinite(p.y) ? p : { x: p.x, y: null }));
  if (clean.length <= maxPoints) return clean;

  // First and last are kept; each bucket of the interior contributes at most three points.
  const interior = clean.length - 2;
  const buckets = Math.floor((maxPoints - 2) / 3);
  const keep = new Set<number>([0, clean.length - 1]);
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let low = -1;
    let high = -1;
    let gap = -1;
    for (let i = start; i < end; i++) {
      const y = clean[i]!.y;
      if (y === null) {
        if (gap === -1) gap = i;
        continue;
      }
      if (low === -1 || y < clean[low]!.y!) low = i;
      if (high === -1 || y > clean[high]!.y!) high = i;
    }
    for (const index of [low, high, gap]) if (index !== -1) keep.add(index);
  }
  return [...keep].sort((a, b) => a - b).map((i) => clean[i]!);
}

/**
 * Gap markers where consecutive points lie further apart than `maxGapMs`: a line drawn straight
 * across an hour without data would claim the tunnel was measured and fine. Expects points in
 * time order (as the series reads return them).
 */
export function breakGaps(points: readonly XY[], maxGapMs: number): XY[] {
  if (!(maxGapMs > 0) || !Number.isFinite(maxGapMs)) throw new RangeError(`maxGapMs must be a positive number of milliseconds, not ${String(maxGapMs)}.`);
  const result: XY[] = [];
  for (const [i, point] of points.entries()) {
    const previous = points[i - 1];
    if (previous && point.x - previous.x > maxGapMs && previous.y !== null && point.y !== null) {
      result.push({ x: (previous.x + point.x) / 2, y: null });
    }
    result.push(point);
  }
  return result;
}

/** What a chart draws for one series: gaps broken, then thinned. */
export function prepareSeries(points: readonly XY[], options: { maxPoints: number; maxGapMs: number | null }): XY[] {
  return downsample(options.maxGapMs === null ? points : breakGaps(points, options.maxGapMs), options.maxPoints);
}
