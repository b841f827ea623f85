/**
 * A stretch living past its planned cut-over. Stretching L2 is a migration tool, not a place to
 * stay: every extra day keeps both sites in one failure domain and traffic tromboning. From the
 * day after the planned date it is info (plans slip by a day), from `cutoverWarningDays` a
 * warning, from `cutoverCriticalDays` critical. Dates are calendar days in UTC.
 */
import type { WarningSeverity } from "@/lib/domain/status";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

const DAY_MS = 24 * 3600 * 1000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a YYYY-MM-DD date; throws on anything else so a bad date is not read as "no plan". */
export function parseIsoDate(text: string, what: string): number {
  const m = ISO_DATE.exec(text);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text) {
    throw new RangeError(`${what} must be a calendar date written YYYY-MM-DD, not "${text}".`);
  }
  return t;
}

/** Whole UTC calendar days from `date` to `now` (0 on the day itself, negative before it). */
export function daysSince(date: string, now: Date, what: string): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((today - parseIsoDate(date, what)) / DAY_MS);
}

export function stretchPastCutoverRule(input: RuleInput): Condition[] {
  const planned = input.tenant.plannedCutoverOn;
  if (!planned) return [];
  const daysPast = daysSince(planned, input.now, "The planned cut-over date");
  if (daysPast < 1) return [];
  const t = input.thresholds;
  const severity: WarningSeverity = daysPast >= t.cutoverCriticalDays ? "critical" : daysPast >= t.cutoverWarningDays ? "warning" : "info";
  const started = input.tenant.stretchStartedOn;
  const age = started ? ` (it began on ${started}, ${daysSince(started, input.now, "The stretch start date")} days ago)` : "";
  const message =
    `The stretch of ${input.tenant.subnet} has run ${daysPast} day${daysPast === 1 ? "" : "s"} past its planned cut-over on ${planned}${age}. ` +
    "A stretched network keeps both sites in one failure domain and routes traffic across the tunnel; finish moving the " +
    "workloads and the default gateway to AVS and offboard the stretch, or agree a new cut-over date and record it.";
  return [
    tenantCondition(input, "stretch-past-cutover", severity, message, {
      plannedCutoverOn: planned,
      stretchStartedOn: started ?? null,
      daysPast,
      warningAfterDays: t.cutoverWarningDays,
      criticalAfterDays: t.cutoverCriticalDays,
    }),
  ];
}
