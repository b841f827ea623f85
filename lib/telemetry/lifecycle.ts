/**
 * The warning lifecycle as a pure reducer: given a tenant's active warnings and one evaluation,
 * the list of changes a database layer applies to the `warnings` table. No state is kept here:
 *
 * - Opening is damped by the rules themselves: a sample-based condition exists only once
 *   `openAfterConsecutive` samples in a row are bad, so a condition that appears is opened at once.
 * - Resolving is damped here with `clearSince`: the first evaluation without the condition sets
 *   it, the warning resolves once the condition has stayed away `resolveAfterClearMinutes`, and
 *   if it comes back sooner `clearSince` is reset and the same warning carries on. A flapping
 *   condition therefore keeps one warning open instead of opening and resolving it every minute.
 * - Acknowledged warnings stay acknowledged while their severity holds or falls. If it rises
 *   (info → warning, warning → critical) the warning goes back to open and the acknowledgement is
 *   cleared: whoever acknowledged a warning agreed to live with that severity, not a worse one.
 * - Warnings of held tunnels (maintenance, no telemetry, down; see rules/evaluate.ts) are left
 *   open when their condition is missing, and a pending `clearSince` is withdrawn: not seeing a
 *   problem is not the same as seeing it gone.
 * - A warning an operator resolved by hand while its condition still holds is opened again on the
 *   next evaluation: the console does not hide a condition it can still see.
 * - Only the kinds in WARNING_KINDS are managed here; warnings of other kinds in the list (e.g.
 *   address overlap, computed from configuration elsewhere) are never touched.
 */
import { severityRank, type WarningSeverity, type WarningState } from "@/lib/domain/status";
import { isWarningKind, WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";
import type { Evaluation } from "./rules/evaluate";
import type { Condition } from "./rules/types";

export type ActiveWarning = {
  id: string;
  kind: string;
  dedupeKey: string;
  tunnelId: string | null;
  severity: WarningSeverity;
  state: Exclude<WarningState, "resolved">;
  openedAt: Date;
  lastSeenAt: Date;
  clearSince: Date | null;
};

/** Columns of a new `warnings` row. */
export type NewWarningValues = {
  tenantId: string;
  tunnelId: string | null;
  kind: WarningKind;
  severity: WarningSeverity;
  state: "open";
  dedupeKey: string;
  message: string;
  details: Record<string, unknown>;
  openedAt: Date;
  lastSeenAt: Date;
  clearSince: null;
};

/**
 * One change. `open` inserts `values`; every other op updates the row `id` with `set`, which holds
 * exactly the columns to write.
 */
export type WarningChange =
  | { op: "open"; dedupeKey: string; values: NewWarningValues }
  | {
      op: "update";
      id: string;
      dedupeKey: string;
      /** seen: still there; returned: back before it resolved; reopened: acknowledged, and its severity rose. */
      reason: "seen" | "returned" | "reopened";
      set: {
        severity: WarningSeverity;
        message: string;
        details: Record<string, unknown>;
        lastSeenAt: Date;
        clearSince: null;
        state?: "open";
        acknowledgedAt?: null;
        acknowledgedBy?: null;
      };
    }
  | { op: "clear"; id: string; dedupeKey: string; set: { clearSince: Date } }
  | { op: "resolve"; id: string; dedupeKey: string; set: { state: "resolved"; resolvedAt: Date; resolvedBy: "system" } }
  | { op: "hold"; id: string; dedupeKey: string; set: { clearSince: null } };

export type ReconcileInput = {
  active: readonly ActiveWarning[];
  evaluation: Evaluation;
  now: Date;
  /** The tenant's `resolveAfterClearMinutes` threshold. */
  resolveAfterClearMinutes: number;
};

export function reconcileWarnings({ active, evaluation, now, resolveAfterClearMinutes }: ReconcileInput): WarningChange[] {
  if (!Number.isFinite(resolveAfterClearMinutes) || resolveAfterClearMinutes < 0) {
    throw new RangeError(`resolveAfterClearMinutes must be 0 or more minutes, not ${resolveAfterClearMinutes}.`);
  }
  const activeByKey = new Map<string, ActiveWarning>();
  for (const w of active) {
    if (w.state !== "open" && w.state !== "acknowledged") {
      throw new RangeError(`Pass only open or acknowledged warnings; ${w.dedupeKey} (${w.id}) is ${String(w.state)}.`);
    }
    if (activeByKey.has(w.dedupeKey)) {
      throw new RangeError(`Two active warnings share the dedupe key ${w.dedupeKey}; the database should have prevented that.`);
    }
    activeByKey.set(w.dedupeKey, w);
  }

  // A key seen twice in one evaluation is one condition, at its worst.
  const conditions = new Map<string, Condition>();
  for (const c of evaluation.conditions) {
    const existing = conditions.get(c.dedupeKey);
    if (!existing || severityRank(c.severity) > severityRank(existing.severity)) conditions.set(c.dedupeKey, c);
  }

  const changes: WarningChange[] = [];
  for (const [key, c] of conditions) {
    const w = activeByKey.get(key);
    if (!w) {
      changes.push({
        op: "open",
        dedupeKey: key,
        values: {
          tenantId: c.tenantId,
          tunnelId: c.tunnelId,
          kind: c.kind,
          severity: c.severity,
          state: "open",
          dedupeKey: key,
          message: c.message,
          details: c.details,
          openedAt: now,
          lastSeenAt: now,
          clearSince: null,
        },
      });
      continue;
    }
    const rose = severityRank(c.severity) > severityRank(w.severity);
    const reopen = w.state === "acknowledged" && rose;
    changes.push({
      op: "update",
      id: w.id,
      dedupeKey: key,
      reason: reopen ? "reopened" : w.clearSince ? "returned" : "seen",
      set: {
        severity: c.severity,
        message: c.message,
        details: c.details,
        lastSeenAt: now,
        clearSince: null,
        ...(reopen ? { state: "open" as const, acknowledgedAt: null, acknowledgedBy: null } : {}),
      },
    });
  }

  const held = new Set(evaluation.heldTunnelIds);
  const resolveAfterMs = resolveAfterClearMinutes * 60_000;
  for (const w of active) {
    if (conditions.has(w.dedupeKey) || !isWarningKind(w.kind)) continue;
    const isHeld = WARNING_KINDS[w.kind].scope === "tenant" ? evaluation.tenantWideHeld : w.tunnelId !== null && held.has(w.tunnelId);
    if (isHeld) {
      if (w.clearSince) changes.push({ op: "hold", id: w.id, dedupeKey: w.dedupeKey, set: { clearSince: null } });
      continue;
    }
    const clearSince = w.clearSince ?? now;
    if (now.getTime() - clearSince.getTime() >= resolveAfterMs) {
      changes.push({ op: "resolve", id: w.id, dedupeKey: w.dedupeKey, set: { state: "resolved", resolvedAt: now, resolvedBy: "system" } });
    } else if (!w.clearSince) {
      changes.push({ op: "clear", id: w.id, dedupeKey: w.dedupeKey, set: { clearSince: now } });
    }
  }
  return changes;
}
