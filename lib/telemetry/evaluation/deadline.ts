/**
 * When a tenant must be evaluated again even if nothing new arrives: the first moment at which
 * time alone can change what the rules say or what the lifecycle does. Until then, evaluating
 * the same samples and configuration again gives the same conditions, statuses and warnings
 * (lib/telemetry/evaluation/deadline.test.ts checks that claim against the rules themselves),
 * so the evaluation skips the tenant unless new samples or a configuration change make it due.
 *
 * Time matters to the rules in these ways only:
 * - a side falls silent `staleAfter` after it last reported;
 * - a sample leaves the window (the rules' and the job's both) `windowMinutes` after it was
 *   measured, and one measured ahead of the clock enters it FUTURE_SKEW_MS before its time;
 * - a failover stops being news, a window after the new active end took its role;
 * - a maintenance window ends;
 * - another day passes since the planned cut-over (days are counted in UTC);
 * and to the lifecycle in one: a warning whose condition went away resolves once it has stayed
 * away `resolveAfterClearMinutes`.
 */
import { inMaintenance } from "../rules/evaluate";
import { FUTURE_SKEW_MS, isSilent, lastReportAt } from "../rules/samples";
import { SIDES } from "@/lib/domain/tenant-options";
import type { RuleInput } from "../rules/types";
import type { ActiveWarning, WarningChange } from "../lifecycle";
import { staleAfterMs } from "../thresholds";

const DAY_MS = 86_400_000;

export type DeadlineInput = {
  now: Date;
  /** The tenant's tunnels as just evaluated. */
  inputs: readonly RuleInput[];
  plannedCutoverOn: string | null;
  /** The tenant's active warnings before this round, and this round's changes to them. */
  active: readonly ActiveWarning[];
  changes: readonly WarningChange[];
  resolveAfterClearMinutes: number;
};

/** The next moment the tenant's result can change with no new data, or null for never. */
export function nextEvaluationAt(input: DeadlineInput): Date | null {
  const now = input.now.getTime();
  let next = Number.POSITIVE_INFINITY;
  const consider = (at: number) => {
    if (at > now && at < next) next = at;
  };

  for (const tunnel of input.inputs) {
    if (inMaintenance(tunnel)) {
      // Nothing is judged on it until it ends; from then on, everything above applies. The
      // other tunnel of a pair still judges the pair by its ends, though, so their times count.
      consider(tunnel.tunnel.maintenanceUntil!.getTime());
      if (!tunnel.pair) continue;
    }
    const windowMs = tunnel.thresholds.windowMinutes * 60_000;
    for (const side of SIDES) {
      const last = lastReportAt(tunnel, side);
      if (last && !isSilent(tunnel, side)) consider(last.getTime() + staleAfterMs(tunnel.thresholds) + 1);
      const samples = tunnel.sides[side].samples;
      // The oldest in the window leaves it first: the rules' window at measured + window, the
      // job's list (which keeps samples measured at the window's start too) a millisecond later.
      let oldest = Number.POSITIVE_INFINITY;
      for (const s of samples) {
        const t = s.measuredAt.getTime();
        if (t < oldest) oldest = t;
        if (t > now + FUTURE_SKEW_MS) consider(t - FUTURE_SKEW_MS);
        // The pair's rules count a sample once it is measured, not FUTURE_SKEW_MS ahead.
        if (t > now) consider(t);
        // A failover is news for a window after the new active end took its role.
        if (s.pairSince) consider(s.pairSince.getTime() + windowMs + 1);
      }
      if (Number.isFinite(oldest)) {
        consider(oldest + windowMs);
        consider(oldest + windowMs + 1);
      }
    }
  }

  if (input.plannedCutoverOn !== null) consider((Math.floor(now / DAY_MS) + 1) * DAY_MS);

  const resolveAfterMs = input.resolveAfterClearMinutes * 60_000;
  for (const clearSince of pendingClears(input.active, input.changes)) consider(clearSince.getTime() + resolveAfterMs);

  return Number.isFinite(next) ? new Date(next) : null;
}

/** The clear periods running once this round's changes are applied. */
export function pendingClears(active: readonly ActiveWarning[], changes: readonly WarningChange[]): Date[] {
  const clearSince = new Map<string, Date | null>(active.map((w) => [w.id, w.clearSince]));
  for (const change of changes) {
    if (change.op === "open") continue;
    if (change.op === "resolve") clearSince.delete(change.id);
    else clearSince.set(change.id, change.set.clearSince);
  }
  return [...clearSince.values()].filter((d): d is Date => d !== null);
}
