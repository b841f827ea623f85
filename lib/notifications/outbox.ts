/**
 * The one point where warning changes enter the notification pipeline. Whoever changes warnings
 * (the evaluation, acknowledging, offboarding) calls `enqueueWarningNotifications` with the same
 * transaction, so a change and its notification commit together or not at all: a crash can lose
 * neither one without the other.
 *
 * Only changes someone should hear about become events: a warning opened, one whose severity
 * rose, one acknowledged (its group stops repeating it), one resolved. A warning merely seen
 * again, clearing or held writes nothing. Events only wake the groups of their tenant; what a
 * group then says is read from the warnings themselves (dispatch.ts), so an event is never
 * stale and never counted twice.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { notificationEvents } from "@/lib/db/schema";
import type { WarningSeverity } from "@/lib/domain/status";
import { queryRows, timeParam } from "@/lib/telemetry/sql";

/**
 * A warning change, shaped so the evaluation's own changes (lib/telemetry/lifecycle.ts
 * WarningChange) pass as they are; other writers name the warning and what happened to it.
 */
export type WarningNotice =
  | { op: "open"; dedupeKey: string; values: { tenantId: string; kind: string; severity: WarningSeverity; openedAt: Date } }
  | { op: "update"; id: string; set: { severity: WarningSeverity; lastSeenAt: Date } }
  | { op: "resolve"; id: string; set: { resolvedAt: Date } }
  | { op: "clear" | "hold"; id: string }
  | { op: "acknowledge"; id: string; at: Date };

/**
 * Writes the events for `changes` in the caller's transaction. Call it BEFORE the changes are
 * applied: a rising severity is found by comparing each update with the row as it still is
 * (one statement, however many warnings change).
 */
export async function enqueueWarningNotifications(tx: Database, changes: readonly WarningNotice[]): Promise<number> {
  let written = 0;
  const opened = changes.flatMap((c) => (c.op === "open" ? [c] : []));
  if (opened.length > 0) {
    await tx.insert(notificationEvents).values(
      opened.map((c) => ({
        tenantId: c.values.tenantId,
        warningId: null,
        dedupeKey: c.dedupeKey,
        change: "opened" as const,
        kind: c.values.kind,
        severity: c.values.severity,
        at: c.values.openedAt,
      })),
    );
    written += opened.length;
  }

  // Escalations: the severity enum is declared in rank order, so `>` compares badness.
  const updates = changes.flatMap((c) => (c.op === "update" ? [{ id: c.id, severity: c.set.severity, at: c.set.lastSeenAt.toISOString() }] : []));
  if (updates.length > 0) {
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`insert into notification_events (tenant_id, warning_id, dedupe_key, change, kind, severity, at)
          select w.tenant_id, w.id, w.dedupe_key, 'escalated', w.kind, c.severity::warning_severity, c.at
          from json_to_recordset(${JSON.stringify(updates)}::json) as c(id uuid, severity text, at timestamptz)
          join warnings w on w.id = c.id
          where c.severity::warning_severity > w.severity
          returning id`,
    );
    written += rows.length;
  }

  for (const [op, change] of [
    ["resolve", "resolved"],
    ["acknowledge", "acknowledged"],
  ] as const) {
    const ids = changes.flatMap((c) => (c.op === op ? [{ id: c.id, at: (c.op === "resolve" ? c.set.resolvedAt : c.op === "acknowledge" ? c.at : new Date()).toISOString() }] : []));
    if (ids.length === 0) continue;
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`insert into notification_events (tenant_id, warning_id, dedupe_key, change, kind, severity, at)
          select w.tenant_id, w.id, w.dedupe_key, ${change}, w.kind, w.severity, c.at
          from json_to_recordset(${JSON.stringify(ids)}::json) as c(id uuid, at timestamptz)
          join warnings w on w.id = c.id
          returning id`,
    );
    written += rows.length;
  }
  return written;
}

/** For the dispatcher and tests: how many events wait to be folded into groups. */
export async function countPendingEvents(db: Database, now: Date): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from notification_events where processed_at is null and at <= ${timeParam(now)}`);
  return row?.n ?? 0;
}
