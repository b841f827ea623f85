/**
 * Throughput from the agents' tunnel counters. Pure: the chart read and the tunnel card both go
 * through these, and the unit tests pin the edge cases.
 *
 * An agent reports its VXLAN interface's cumulative tx/rx bytes and packets with every sample.
 * A rate is the difference of two consecutive samples over the time between them, except:
 * - a counter that went down and sat in the top quarter of a 32-bit (or 64-bit) range before
 *   and in the bottom quarter after wrapped around: the difference is taken modulo 2^32 (2^64).
 *   32-bit counters are what SNMP's ifInOctets and 32-bit kernels give; 64-bit ones wrap only in
 *   theory, but the arithmetic is the same, done in BigInt so it is exact near 2^64.
 * - any other decrease is a restart (agent, interface or gateway): that pair of samples gives no
 *   rate, and a new series begins, so the chart breaks its line instead of drawing a negative
 *   or a huge spike. One counter restarting restarts all four: they reset together.
 * - samples further apart than `maxGapMs` give no rate either: an average over an outage would
 *   claim steady traffic that nobody measured.
 */

export type CounterValue = number | bigint;

/** One sample's counters, as stored; null where the agent sent none. */
export type CounterSample = {
  at: number;
  txBytes: CounterValue | null;
  rxBytes: CounterValue | null;
  txPackets: CounterValue | null;
  rxPackets: CounterValue | null;
};

export const COUNTER_KEYS = ["txBytes", "rxBytes", "txPackets", "rxPackets"] as const;
export type CounterKey = (typeof COUNTER_KEYS)[number];

/** What moved between two samples: per counter, per second. */
export type RateInterval = {
  from: number;
  to: number;
  /** Which run of consecutive samples it belongs to; a restart or a gap starts the next. */
  run: number;
  /** Counter increase per second; null when either sample lacked that counter. */
  perSecond: Record<CounterKey, number | null>;
};

const WIDTHS = [32n, 64n] as const;

/** How a counter moved from one sample to the next: an increase, or a restart. */
export function counterIncrease(previous: CounterValue, current: CounterValue): bigint | "restart" {
  const before = BigInt(previous);
  const after = BigInt(current);
  if (before < 0n || after < 0n) return "restart";
  if (after >= before) return after - before;
  for (const bits of WIDTHS) {
    const size = 1n << bits;
    const quarter = size >> 2n;
    if (before < size && before >= size - quarter && after < quarter) return size - before + after;
  }
  return "restart";
}

/**
 * The rates between consecutive samples, in time order, each tagged with its run. Samples may
 * arrive unsorted (a backlog); duplicates of one instant keep the first.
 */
export function counterRates(samples: readonly CounterSample[], options: { maxGapMs: number }): RateInterval[] {
  if (!(options.maxGapMs > 0)) throw new RangeError(`maxGapMs must be a positive number of milliseconds, not ${String(options.maxGapMs)}.`);
  // A stable sort keeps the first of several samples at one instant; the others are dropped.
  const sorted = [...samples]
    .filter((s) => Number.isFinite(s.at))
    .sort((a, b) => a.at - b.at)
    .filter((s, i, all) => i === 0 || s.at !== all[i - 1]!.at);
  const rates: RateInterval[] = [];
  let run = 0;
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    const elapsedMs = current.at - previous.at;
    if (elapsedMs > options.maxGapMs) {
      run += 1;
      continue;
    }
    const increases = COUNTER_KEYS.map((key) => {
      const [a, b] = [previous[key], current[key]];
      return a === null || b === null ? null : counterIncrease(a, b);
    });
    if (increases.includes("restart")) {
      run += 1;
      continue;
    }
    if (increases.every((increase) => increase === null)) continue;
    const seconds = elapsedMs / 1000;
    const perSecond = Object.fromEntries(COUNTER_KEYS.map((key, k) => [key, increases[k] === null ? null : Number(increases[k]) / seconds])) as Record<CounterKey, number | null>;
    rates.push({ from: previous.at, to: current.at, run, perSecond });
  }
  return rates;
}

/** One chart point: the average rate over a bucket's measured part; null where nothing was measured. */
export type RatePoint = { at: number } & Record<CounterKey, number | null>;

/**
 * Rates averaged into buckets of `bucketMs` from `start` until `end`, for a chart with a bounded
 * number of points. Each interval counts in every bucket it overlaps, by the share of it that
 * lies there, so a bucket's value is what moved during its measured time divided by that time.
 * A bucket no interval touches is null: the chart draws a gap.
 */
export function bucketRates(rates: readonly RateInterval[], frame: { start: number; end: number; bucketMs: number }): RatePoint[] {
  const { start, end, bucketMs } = frame;
  if (!(bucketMs > 0) || !(end > start)) throw new RangeError("bucketRates needs end after start and a positive bucketMs.");
  const buckets = Math.ceil((end - start) / bucketMs);
  const moved = COUNTER_KEYS.map(() => new Float64Array(buckets));
  const measuredMs = COUNTER_KEYS.map(() => new Float64Array(buckets));
  for (const rate of rates) {
    const first = Math.max(0, Math.floor((rate.from - start) / bucketMs));
    const last = Math.min(buckets - 1, Math.floor((rate.to - start) / bucketMs));
    for (let b = first; b <= last; b++) {
      const overlapMs = Math.min(rate.to, start + (b + 1) * bucketMs, end) - Math.max(rate.from, start + b * bucketMs, start);
      if (overlapMs <= 0) continue;
      COUNTER_KEYS.forEach((key, k) => {
        const perSecond = rate.perSecond[key];
        if (perSecond === null) return;
        moved[k]![b]! += (perSecond * overlapMs) / 1000;
        measuredMs[k]![b]! += overlapMs;
      });
    }
  }
  const points: RatePoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const point = { at: start + b * bucketMs } as RatePoint;
    COUNTER_KEYS.forEach((key, k) => {
      const ms = measuredMs[k]![b]!;
      point[key] = ms > 0 ? (moved[k]![b]! * 1000) / ms : null;
    });
    points.push(point);
  }
  return points;
}

/** The newest rate, if its interval ended no earlier than `freshAfter`: what the tunnel card shows as "now". */
export function currentRate(rates: readonly RateInterval[], freshAfter: number): RateInterval | null {
  const newest = rates.at(-1);
  return newest && newest.to >= freshAfter ? newest : null;
}
