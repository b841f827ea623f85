/**
 * Shared arithmetic of the sample-based rules: which samples count (recent, from a side that is
 * still reporting), how long the newest run of bad samples is (the damping), and how to word
 * numbers in messages.
 */
import { maxSeverity, type WarningSeverity } from "@/lib/domain/status";
import { type Side, SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import type { WarningKind } from "@/lib/domain/warning-kinds";
import { staleAfterMs } from "@/lib/telemetry/thresholds";
import { type Condition, type RuleInput, type RuleSample } from "./types";

/** Agents' clocks drift; a sample a little in the future still counts (ingest allows 5 minutes). */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** The newest thing heard from a side: its last-sample time or its newest sample, whichever is later. */
export function lastReportAt(input: RuleInput, side: Side): Date | null {
  const { lastSampleAt, samples } = input.sides[side];
  let newest = lastSampleAt ? lastSampleAt.getTime() : Number.NEGATIVE_INFINITY;
  for (const s of samples) newest = Math.max(newest, s.measuredAt.getTime());
  return Number.isFinite(newest) ? new Date(newest) : null;
}

/** A side is silent when nothing arrived from it for `staleAfterIntervals` sample intervals. */
export function isSilent(input: RuleInput, side: Side, now: Date = input.now): boolean {
  const last = lastReportAt(input, side);
  return last === null || now.getTime() - last.getTime() > staleAfterMs(input.thresholds);
}

/**
 * The samples the rules judge a side by: inside the window, oldest first. A silent side has none:
 * its last samples are old news, and letting them keep a condition alive would report the past
 * as the present (the stale condition says the side is silent instead).
 */
export function recentSamples(input: RuleInput, side: Side): readonly RuleSample[] {
  // Every sample rule asks for these, about twenty times per tunnel and round; an input is not
  // changed once built, so each side is filtered and sorted once (the evaluation's largest cost
  // on the console's thread, and its garbage, before this).
  let bySide = recent.get(input);
  if (!bySide) recent.set(input, (bySide = {}));
  return (bySide[side] ??= Object.freeze(readRecentSamples(input, side)));
}

const recent = new WeakMap<RuleInput, Partial<Record<Side, readonly RuleSample[]>>>();

function readRecentSamples(input: RuleInput, side: Side): RuleSample[] {
  if (isSilent(input, side)) return [];
  const now = input.now.getTime();
  const from = now - input.thresholds.windowMinutes * 60_000;
  return input.sides[side].samples
    .filter((s) => {
      const t = s.measuredAt.getTime();
      return t > from && t <= now + FUTURE_SKEW_MS;
    })
    .sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
}

type Pick = (s: RuleSample) => number | null | undefined;

/**
 * The newest unbroken run of samples whose value is bad, newest last. Samples that did not
 * measure the value are skipped: they neither extend nor break the run (an agent that could not
 * time one ping has not seen a good RTT).
 */
export function trailingRun(samples: readonly RuleSample[], pick: Pick, isBad: (v: number) => boolean): number[] {
  const run: number[] = [];
  for (let i = samples.length - 1; i >= 0; i--) {
    const v = pick(samples[i]!);
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (!isBad(v)) break;
    run.push(v);
  }
  return run.reverse();
}

export type SideVerdict = {
  severity: Exclude<WarningSeverity, "info">;
  /** Consecutive bad samples at the end of the window (at least the damping count). */
  consecutive: number;
  latest: number;
  peak: number;
  median: number;
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Judges one measure on each reporting side against a warning and a critical level: a level
 * holds when the newest `needed` measured samples (or more) all reach it. Sides without a
 * verdict are fine (or have too few bad samples yet).
 */
export function judgeSides(
  input: RuleInput,
  pick: Pick,
  levels: { warning: (v: number) => boolean; critical: (v: number) => boolean },
  needed: number = input.thresholds.openAfterConsecutive,
): Partial<Record<Side, SideVerdict>> {
  const verdicts: Partial<Record<Side, SideVerdict>> = {};
  for (const side of SIDES) {
    const samples = recentSamples(input, side);
    const warningRun = trailingRun(samples, pick, levels.warning);
    if (warningRun.length < needed) continue;
    const criticalRun = trailingRun(samples, pick, levels.critical);
    verdicts[side] = {
      severity: criticalRun.length >= needed ? "critical" : "warning",
      consecutive: warningRun.length,
      latest: warningRun[warningRun.length - 1]!,
      peak: Math.max(...warningRun),
      median: median(warningRun),
    };
  }
  return verdicts;
}

/** The worst severity among verdicts, or null when there are none. */
export function worstOf(verdicts: Partial<Record<Side, { severity: WarningSeverity }>>): WarningSeverity | null {
  let worst: WarningSeverity | null = null;
  for (const side of SIDES) {
    const v = verdicts[side];
    if (v) worst = worst ? maxSeverity(worst, v.severity) : v.severity;
  }
  return worst;
}

export function sidesOf<T>(verdicts: Partial<Record<Side, T>>): Side[] {
  return SIDES.filter((side) => verdicts[side] !== undefined);
}

/** "the source gateway", "the source gateway and the AVS edge bridge". */
export function nameSides(sides: readonly Side[]): string {
  return sides.map((s) => `the ${SIDE_NAME[s]}`).join(" and ");
}

/** Rounds for people: 12.3 ms, 0.25 %, 12 000 pps. */
export function fmt(value: number, digits = 1): string {
  // Thousands grouped with a space (the SI style), without depending on the runtime's locale data.
  if (Math.abs(value) >= 1000) return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return Number(value.toFixed(digits)).toString();
}

/** "3 samples (1.5 min)". */
export function describeRun(count: number, input: RuleInput): string {
  const minutes = (count * input.thresholds.sampleIntervalSeconds) / 60;
  return `${count} consecutive samples (${fmt(minutes)} min)`;
}

export function tunnelCondition(
  input: RuleInput,
  kind: WarningKind,
  severity: WarningSeverity,
  message: string,
  details: Record<string, unknown>,
  keySuffix = "",
): Condition {
  return {
    kind,
    severity,
    dedupeKey: `${kind}:${input.tunnel.id}${keySuffix}`,
    tenantId: input.tenant.id,
    tunnelId: input.tunnel.id,
    message,
    details,
  };
}

export function tenantCondition(input: RuleInput, kind: WarningKind, severity: WarningSeverity, message: string, details: Record<string, unknown>): Condition {
  return { kind, severity, dedupeKey: `${kind}:tenant:${input.tenant.id}`, tenantId: input.tenant.id, tunnelId: null, message, details };
}

/** Per-side numbers for `details`, rounded so the jsonb stays readable. */
export function verdictDetails(verdicts: Partial<Record<Side, SideVerdict>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const side of sidesOf(verdicts)) {
    const v = verdicts[side]!;
    out[side] = { severity: v.severity, consecutive: v.consecutive, latest: round(v.latest), median: round(v.median), peak: round(v.peak) };
  }
  return out;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
