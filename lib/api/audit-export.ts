/**
 * The audit trail as a file: CSV (one event a row, before/after as JSON) or JSON Lines, newest
 * first, streamed a thousand events at a time so a long trail never sits in memory whole.
 */
import "server-only";
import { stringify } from "csv-stringify/sync";
import type { Database } from "@/lib/db/client";
import { listAuditEventsBefore, type AuditFilter } from "@/lib/queries/audit";

const BATCH = 1000;
const COLUMNS = ["id", "at", "actor", "action", "entityType", "entityId", "tenant", "before", "after"] as const;
/**
 * Auditors open the CSV in a spreadsheet, and some cells hold names we did not choose (a sign-in
 * name, a display's name): one starting with = + - @ would run as a formula there, so such a
 * cell gets a leading ' (OWASP's advice for CSV injection). JSON Lines stays exact.
 */
const CSV_OPTIONS = { escape_formulas: true } as const;

export function auditExportStream(db: Database, filter: AuditFilter, format: "csv" | "jsonl"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let beforeId: number | null = null;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started && format === "csv") controller.enqueue(encoder.encode(stringify([COLUMNS as unknown as string[]], CSV_OPTIONS)));
      started = true;
      const page = await listAuditEventsBefore(db, { ...filter, beforeId, limit: BATCH });
      const lines =
        format === "csv"
          ? stringify(
              page.rows.map((e) => [e.id, e.at.toISOString(), e.actor, e.action, e.entityType, e.entityId, e.tenantSlug ?? "", JSON.stringify(e.before), JSON.stringify(e.after)]),
              CSV_OPTIONS,
            )
          : page.rows.map((e) => `${JSON.stringify({ ...e, at: e.at.toISOString() })}\n`).join("");
      if (lines) controller.enqueue(encoder.encode(lines));
      beforeId = page.rows.at(-1)?.id ?? beforeId;
      if (!page.more) controller.close();
    },
  });
}
