/**
 * The numbers the warning rules compare telemetry with. Every tenant gets the defaults below;
 * a tenant's `warningThresholds` (jsonb) may override any of them, validated by
 * `thresholdOverridesSchema` on the way in and again by `resolveThresholds` on the way out, so a
 * stored value that a later release no longer accepts is reported, not silently misread.
 *
 * The latency objective is not a threshold here: it is the tenant's own column
 * (`latencyObjectiveMs`), passed to `resolveThresholds` beside the overrides.
 */
import { z } from "zod";

type ThresholdSpec = {
  default: number;
  min: number;
  max: number;
  /** Whole numbers only (counts, intervals, days). */
  integer: boolean;
  unit: string;
  /** What it means, for the override form and for anyone reading a tenant's overrides. */
  description: string;
};

/**
 * Defaults, bounds and meaning of every threshold. The bounds keep an override sensible
 * (a 0-sample damping or a 100 % "loss warning" would make a rule meaningless), not tight.
 */
export const THRESHOLD_SPECS = {
  sampleIntervalSeconds: {
    default: 30,
    min: 5,
    max: 3600,
    integer: true,
    unit: "s",
    description: "How often the agents send a sample; the generated agent config uses 30 s.",
  },
  staleAfterIntervals: {
    default: 3,
    min: 2,
    max: 120,
    integer: true,
    unit: "intervals",
    description: "A side with no sample for this many intervals is stale (3 × 30 s = 90 s): one late batch is not an outage.",
  },
  windowMinutes: {
    default: 15,
    min: 5,
    max: 240,
    integer: true,
    unit: "min",
    description: "How far back the rules look at raw samples (flapping counts transitions inside it).",
  },
  openAfterConsecutive: {
    default: 3,
    min: 1,
    max: 60,
    integer: true,
    unit: "samples",
    description: "Damping: a sample-based condition holds only when this many consecutive samples, the newest included, are bad.",
  },
  resolveAfterClearMinutes: {
    default: 10,
    min: 0,
    max: 1440,
    integer: true,
    unit: "min",
    description: "Damping: a warning resolves only after its condition has stayed clear this long; if it comes back sooner, the warning stays open.",
  },
  latencyCriticalRatio: {
    default: 2,
    min: 1.05,
    max: 20,
    integer: false,
    unit: "× objective",
    description: "RTT above the tenant's objective is a warning; above objective × this it is critical.",
  },
  baselineWarningRatio: {
    default: 1.5,
    min: 1.05,
    max: 20,
    integer: false,
    unit: "× baseline",
    description: "RTT this many times the tunnel's own baseline (7-day median of hourly averages) is a warning.",
  },
  baselineCriticalRatio: {
    default: 3,
    min: 1.1,
    max: 50,
    integer: false,
    unit: "× baseline",
    description: "RTT this many times the baseline is critical.",
  },
  baselineMinExcessMs: {
    default: 5,
    min: 0,
    max: 10_000,
    integer: false,
    unit: "ms",
    description: "RTT must also exceed the baseline by at least this much, so a 1 ms link at 1.6 ms is not 'far above' anything.",
  },
  jitterWarningMs: {
    default: 10,
    min: 0.1,
    max: 10_000,
    integer: false,
    unit: "ms",
    description: "Jitter at or above this is a warning (voice and storage replication start to suffer).",
  },
  jitterCriticalMs: {
    default: 30,
    min: 0.1,
    max: 10_000,
    integer: false,
    unit: "ms",
    description: "Jitter at or above this is critical.",
  },
  lossWarningPct: {
    default: 1,
    min: 0.01,
    max: 99,
    integer: false,
    unit: "%",
    description: "Packet loss at or above this is a warning (TCP throughput falls off sharply past 1 %).",
  },
  lossCriticalPct: {
    default: 5,
    min: 0.01,
    max: 99.99,
    integer: false,
    unit: "%",
    description: "Packet loss at or above this is critical; 100 % on every reporting side is 'tunnel down' instead.",
  },
  dfFailuresToOpen: {
    default: 3,
    min: 1,
    max: 60,
    integer: true,
    unit: "probes",
    description: "Consecutive failed don't-fragment probes at the tenant MTU before the path-MTU warning holds.",
  },
  pairSettleSeconds: {
    default: 20,
    min: 5,
    max: 600,
    integer: true,
    unit: "s",
    description:
      "An active/standby pair's state (both active, no active path, a standby in fault) must have held this long, by the agents' own reports, before it is a warning: a failover passes through such states for a few seconds.",
  },
  flapTransitions: {
    default: 4,
    min: 2,
    max: 500,
    integer: true,
    unit: "transitions per window",
    description: "Down↔up transitions inside the window that make a tunnel 'flapping' (4 = two outages); twice this is critical.",
  },
  bumWarningPps: {
    default: 1_000,
    min: 1,
    max: 100_000_000,
    integer: false,
    unit: "packets/s",
    description: "Broadcast, unknown-unicast and multicast rate at or above this is a warning.",
  },
  bumCriticalPps: {
    default: 10_000,
    min: 1,
    max: 100_000_000,
    integer: false,
    unit: "packets/s",
    description: "BUM rate at or above this is critical: a storm that crosses the tunnel floods both sites.",
  },
  learnedMacsWarning: {
    default: 4_096,
    min: 1,
    max: 10_000_000,
    integer: true,
    unit: "MACs",
    description: "Learned MACs at or above this is a warning: one stretched VLAN rarely holds more than a few hundred workloads.",
  },
  learnedMacsCritical: {
    default: 16_384,
    min: 1,
    max: 10_000_000,
    integer: true,
    unit: "MACs",
    description: "Learned MACs at or above this is critical: a MAC flood or a loop that will overflow the bridges' tables.",
  },
  cutoverWarningDays: {
    default: 7,
    min: 1,
    max: 3650,
    integer: true,
    unit: "days",
    description: "Days past the planned cut-over after which the stretch warning becomes a warning (from the day after, it is info).",
  },
  cutoverCriticalDays: {
    default: 30,
    min: 1,
    max: 3650,
    integer: true,
    unit: "days",
    description: "Days past the planned cut-over after which it is critical.",
  },
} as const satisfies Record<string, ThresholdSpec>;

export type ThresholdKey = keyof typeof THRESHOLD_SPECS;
export const THRESHOLD_KEYS = Object.keys(THRESHOLD_SPECS) as ThresholdKey[];

/** Every threshold the rules use, the tenant's latency objective included. */
export type Thresholds = { readonly [K in ThresholdKey]: number } & { readonly latencyObjectiveMs: number };
export type ThresholdOverrides = Partial<Record<ThresholdKey, number>>;

export const DEFAULT_THRESHOLDS: { readonly [K in ThresholdKey]: number } = Object.fromEntries(
  THRESHOLD_KEYS.map((key) => [key, THRESHOLD_SPECS[key].default]),
) as { [K in ThresholdKey]: number };

/** How the baseline passed to the rules as `baselineRttMs` should be computed (see `computeBaselineRtt`). */
export const BASELINE_WINDOW_DAYS = 7;
/** Fewer hourly roll-ups than this and there is no baseline yet: a new tunnel has nothing to compare with. */
export const BASELINE_MIN_HOURS = 24;

/** Pairs that must stay ordered after overrides are merged with the defaults. */
const ORDERED_PAIRS: [lower: ThresholdKey, higher: ThresholdKey][] = [
  ["baselineWarningRatio", "baselineCriticalRatio"],
  ["jitterWarningMs", "jitterCriticalMs"],
  ["lossWarningPct", "lossCriticalPct"],
  ["bumWarningPps", "bumCriticalPps"],
  ["learnedMacsWarning", "learnedMacsCritical"],
  ["cutoverWarningDays", "cutoverCriticalDays"],
];

function numberFor(key: ThresholdKey) {
  const spec = THRESHOLD_SPECS[key];
  const base = z.number({ error: `${key} must be a number (${spec.unit}).` }).finite(`${key} must be a finite number.`);
  return (spec.integer ? base.int(`${key} must be a whole number of ${spec.unit}.`) : base)
    .min(spec.min, `${key} must be at least ${spec.min} ${spec.unit}.`)
    .max(spec.max, `${key} must be at most ${spec.max} ${spec.unit}.`);
}

const overrideShape = Object.fromEntries(THRESHOLD_KEYS.map((key) => [key, numberFor(key).optional()])) as {
  [K in ThresholdKey]: z.ZodOptional<ReturnType<typeof numberFor>>;
};

/** Problems with a merged set of thresholds: pairs out of order, damping that the window cannot hold. */
function crossCheck(t: { [K in ThresholdKey]: number }): { path: ThresholdKey; message: string }[] {
  const problems: { path: ThresholdKey; message: string }[] = [];
  for (const [lower, higher] of ORDERED_PAIRS) {
    if (!(t[lower] < t[higher])) {
      problems.push({ path: lower, message: `${lower} (${t[lower]}) must be below ${higher} (${t[higher]}).` });
    }
  }
  const samplesInWindow = Math.floor((t.windowMinutes * 60) / t.sampleIntervalSeconds);
  if (t.openAfterConsecutive > samplesInWindow) {
    problems.push({
      path: "openAfterConsecutive",
      message: `openAfterConsecutive (${t.openAfterConsecutive}) needs more samples than a ${t.windowMinutes}-minute window holds at one per ${t.sampleIntervalSeconds} s (${samplesInWindow}).`,
    });
  }
  if (t.dfFailuresToOpen > samplesInWindow) {
    problems.push({
      path: "dfFailuresToOpen",
      message: `dfFailuresToOpen (${t.dfFailuresToOpen}) needs more probes than the window holds (${samplesInWindow}).`,
    });
  }
  if (t.flapTransitions >= samplesInWindow) {
    problems.push({
      path: "flapTransitions",
      message: `flapTransitions (${t.flapTransitions}) cannot happen within a window of ${samplesInWindow} samples.`,
    });
  }
  if (t.staleAfterIntervals * t.sampleIntervalSeconds > t.windowMinutes * 60) {
    problems.push({
      path: "staleAfterIntervals",
      message: `staleAfterIntervals × sampleIntervalSeconds (${t.staleAfterIntervals * t.sampleIntervalSeconds} s) must fit in the ${t.windowMinutes}-minute window.`,
    });
  }
  return problems;
}

/**
 * A tenant's overrides as stored in `tenants.warning_thresholds`. Unknown keys are refused (a
 * typo would otherwise be silently ignored and the operator would believe it applied), values are
 * bounded, and the result merged with the defaults must still make sense.
 */
export const thresholdOverridesSchema = z
  .strictObject(overrideShape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `Unknown threshold ${issue.keys.map((k) => `"${k}"`).join(", ")}. Known thresholds: ${THRESHOLD_KEYS.join(", ")}.`
        : issue.code === "invalid_type"
          ? "Thresholds must be an object of named numbers, e.g. {\"jitterWarningMs\": 15}."
          : undefined,
  })
  .superRefine((overrides, ctx) => {
    for (const problem of crossCheck({ ...DEFAULT_THRESHOLDS, ...stripUndefined(overrides) })) {
      ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
    }
  });

function stripUndefined(o: ThresholdOverrides): ThresholdOverrides {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export class ThresholdsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid warning thresholds: ${problems.join(" ")}`);
    this.name = "ThresholdsError";
  }
}

/**
 * The thresholds one tenant's rules run with. Throws `ThresholdsError` naming every bad key:
 * the evaluation job should log it against the tenant and skip that tenant rather than evaluate
 * it with numbers the operator did not choose.
 */
export function resolveThresholds(latencyObjectiveMs: number, overrides: unknown = {}): Thresholds {
  const problems: string[] = [];
  if (typeof latencyObjectiveMs !== "number" || !Number.isFinite(latencyObjectiveMs) || latencyObjectiveMs <= 0 || latencyObjectiveMs > 60_000) {
    problems.push(`The latency objective must be a number of milliseconds above 0 and at most 60000, not ${String(latencyObjectiveMs)}.`);
  }
  const parsed = thresholdOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => issue.message));
  if (problems.length > 0 || !parsed.success) throw new ThresholdsError(problems);
  return Object.freeze({ ...DEFAULT_THRESHOLDS, ...stripUndefined(parsed.data), latencyObjectiveMs });
}

/** Milliseconds without a sample after which one side counts as silent. */
export function staleAfterMs(t: Thresholds): number {
  return t.staleAfterIntervals * t.sampleIntervalSeconds * 1000;
}

/**
 * The baseline for `baselineRttMs`: the median of the tunnel's hourly average RTTs over the last
 * `BASELINE_WINDOW_DAYS` (the caller reads the 1 h roll-ups). The median, not the mean, so a few
 * bad hours do not drag the baseline up and hide the very degradation it exists to catch. Null
 * while fewer than `BASELINE_MIN_HOURS` hours have an RTT.
 */
export function computeBaselineRtt(hourlyAverageRttMs: readonly (number | null | undefined)[]): number | null {
  const values = hourlyAverageRttMs
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0)
    .sort((a, b) => a - b);
  if (values.length < BASELINE_MIN_HOURS) return null;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
