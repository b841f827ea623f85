/**
 * Which checks each step runs, and the rule for going past them: every check must pass, or the
 * operator types a reason, which is audited with the checks it overrode.
 */
import type { CheckOutcome } from "@/lib/domain/status";
import { gatewayAddressCheck, tier1ExistsCheck, tier1OverlapCheck } from "./gateway";
import { criticalWarningsCheck, endsReportingCheck } from "./health";
import { recentTrafficCheck, tunnelsAttachedCheck } from "./offboarding";
import type { Check, CheckResult, StretchEvidence } from "./types";
import { noWorkloadsLeftCheck, segmentWorkloadsCheck, tromboningClearedCheck, workloadPlacementCheck } from "./workloads";

export const CHECKLISTS = {
  /** Before the gateway moves to the Tier-1. */
  "cut-over": [endsReportingCheck, criticalWarningsCheck, workloadPlacementCheck, gatewayAddressCheck, tier1ExistsCheck, tier1OverlapCheck],
  /** The re-check once cut over: did the move end the tromboning? Shown, not gating. */
  "after-cut-over": [tromboningClearedCheck],
  /** Before the tunnels go. */
  unextend: [endsReportingCheck, noWorkloadsLeftCheck, tromboningClearedCheck],
  /** Before the segment goes and the VLAN is freed. */
  offboard: [tunnelsAttachedCheck, recentTrafficCheck, segmentWorkloadsCheck],
} as const satisfies Record<string, readonly Check[]>;

export type Checklist = keyof typeof CHECKLISTS;

export function runChecklist(list: Checklist, evidence: StretchEvidence): CheckResult[] {
  return CHECKLISTS[list].map((check) => check(evidence));
}

/** The worst outcome of a list: what the step's badge shows. */
export function worstOutcome(results: readonly CheckResult[]): CheckOutcome {
  if (results.some((r) => r.outcome === "fail")) return "fail";
  if (results.some((r) => r.outcome === "warn")) return "warn";
  return "pass";
}

export type GateDecision =
  | { ok: true; overridden: CheckResult[] }
  | { ok: false; blocking: CheckResult[]; message: string };

/**
 * Whether a step may go ahead: yes when every check passes; past a warn or fail only with a
 * reason (its length and form are the schema's to check), and then the overridden checks are
 * what the audit records.
 */
export function gate(results: readonly CheckResult[], reason: string | undefined, step: string): GateDecision {
  const blocking = results.filter((r) => r.outcome !== "pass");
  if (blocking.length === 0) return { ok: true, overridden: [] };
  if (reason) return { ok: true, overridden: blocking };
  const list = blocking.map((r) => `${r.title} (${r.outcome}): ${r.summary}`).join(" ");
  return { ok: false, blocking, message: `Not every pre-check passes for the ${step}. ${list} To go ahead anyway, give a reason; it is kept in the audit trail.` };
}

/** What the audit and the timeline keep of a check: no evidence lines, which can be long. */
export function checkRecord(result: CheckResult): { id: string; outcome: CheckOutcome; summary: string } {
  return { id: result.id, outcome: result.outcome, summary: result.summary };
}
