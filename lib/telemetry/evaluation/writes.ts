/**
 * The evaluation's writes for a batch of tenants, a statement per kind of change rather than
 * one per row: every warning opened in one insert, every warning still seen in one update, and
 * so on. Rows travel as one JSON parameter unpacked by json_to_recordset (as ingest does), so a
 * batch of a hundred changes is one round trip, not a hundred.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { warnings } from "@/lib/db/schema";
import type { TunnelStatus } from "@/lib/domain/status";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";
import type { WarningChange } from "../lifecycle";
import { timeParam } from "../sql";
import { uuidArray } from "./due";

type Of<Op extends WarningChange["op"]> = Extract<WarningChange, { op: Op }>;

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::json`;

/** Applies the lifecycle's changes, exactly as listed (lib/telemetry/lifecycle.ts). */
export async function applyWarningChanges(db: Database, changes: readonly WarningChange[]): Promise<void> {
  // Before the changes are written (it compares severities with the rows as they are), in the same transaction.
  await enqueueWarningNotifications(db, changes);
  const of = <Op extends WarningChange["op"]>(op: Op) => changes.filter((c): c is Of<Op> => c.op === op);
  const opened = of("open");
  if (opened.length > 0) await db.insert(warnings).values(opened.map((c) => c.values));

  const updated = of("update");
  if (updated.length > 0) {
    const rows = updated.map((c) => ({
      id: c.id,
      severity: c.set.severity,
      message: c.set.message,
      details: c.set.details,
      last_seen_at: c.set.lastSeenAt.toISOString(),
      reopen: c.set.state === "open",
    }));
    // A reopened warning (acknowledged, and its severity rose) loses its acknowledgement.
    await db.execute(sql`
      update warnings w set severity = c.severity::warning_severity, message = c.message, details = c.details,
        last_seen_at = c.last_seen_at, clear_since = null,
        state = case when c.reopen then 'open'::warning_state else w.state end,
        acknowledged_at = case when c.reopen then null else w.acknowledged_at end,
        acknowledged_by = case when c.reopen then null else w.acknowledged_by end
      from json_to_recordset(${json(rows)}) as c(id uuid, severity text, message text, details jsonb, last_seen_at timestamptz, reopen boolean)
      where w.id = c.id`);
  }

  const cleared = of("clear");
  if (cleared.length > 0) {
    const rows = cleared.map((c) => ({ id: c.id, clear_since: c.set.clearSince.toISOString() }));
    await db.execute(sql`
      update warnings w set clear_since = c.clear_since
      from json_to_recordset(${json(rows)}) as c(id uuid, clear_since timestamptz)
      where w.id = c.id`);
  }

  const held = of("hold");
  if (held.length > 0) await db.execute(sql`update warnings set clear_since = null where id = any(${uuidArray(held.map((c) => c.id))})`);

  const resolved = of("resolve");
  if (resolved.length > 0) {
    const rows = resolved.map((c) => ({ id: c.id, resolved_at: c.set.resolvedAt.toISOString(), resolved_by: c.set.resolvedBy }));
    await db.execute(sql`
      update warnings w set state = 'resolved', resolved_at = c.resolved_at, resolved_by = c.resolved_by
      from json_to_recordset(${json(rows)}) as c(id uuid, resolved_at timestamptz, resolved_by text)
      where w.id = c.id`);
  }
}

/** Writes each tunnel's status where it changed, with `now` as the time it changed. */
export async function applyTunnelStatuses(db: Database, statuses: readonly { tunnelId: string; status: TunnelStatus }[], now: Date): Promise<void> {
  if (statuses.length === 0) return;
  const rows = statuses.map((s) => ({ id: s.tunnelId, status: s.status }));
  // Locked first in id order (lib/commands/lock-in-id-order.ts): in the order of the list, the
  // dispatcher's maintenance sync, writing the same tunnels in the table's order, deadlocked
  // with it (tests/tunnel-write-lock-order.test.ts).
  await db.execute(sql`
    with c as (
      select * from json_to_recordset(${json(rows)}) as c(id uuid, status text)
    ), locked as (
      select t.id, c.status from tunnels t join c on c.id = t.id
      where t.status::text <> c.status
      order by t.id for no key update of t
    )
    update tunnels t set status = l.status::tunnel_status, status_changed_at = ${timeParam(now)}
    from locked l
    where t.id = l.id`);
}

export type EvaluationRecord = { tenantId: string; samplesSeq: number; configHash: string; dueAt: Date | null; evaluatedAt: Date };

/** Remembers what each tenant was evaluated with, and when it is next due regardless. */
export async function saveEvaluations(db: Database, records: readonly EvaluationRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((r) => ({
    tenant_id: r.tenantId,
    samples_seq: r.samplesSeq,
    config_hash: r.configHash,
    due_at: r.dueAt?.toISOString() ?? null,
    evaluated_at: r.evaluatedAt.toISOString(),
  }));
  await db.execute(sql`
    insert into tenant_evaluations (tenant_id, samples_seq, config_hash, due_at, evaluated_at)
    select tenant_id, samples_seq, config_hash, due_at, evaluated_at
    from json_to_recordset(${json(rows)}) as r(tenant_id uuid, samples_seq bigint, config_hash text, due_at timestamptz, evaluated_at timestamptz)
    on conflict (tenant_id) do update set samples_seq = excluded.samples_seq, config_hash = excluded.config_hash,
      due_at = excluded.due_at, evaluated_at = excluded.evaluated_at`);
}
