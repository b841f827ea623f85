import "server-only";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { listAuditEventsBefore } from "@/lib/queries/audit";
import { problemJson } from "@/lib/server/problem";
import { auditListQuery } from "@/lib/validation/api";
import { auditRangeError } from "@/lib/validation/audit";
import { decodeCursor, encodeCursor } from "./cursor";
import { jsonResponse, queryOf, validate } from "./request";

const auditCursor = z.object({ id: z.number().int().positive() });

/** One page of the audit trail, newest first, for the fleet-wide list and a tenant's own. */
export async function auditPage(db: Database, request: Request, scope: { tenantId?: string; resolveSlug?: (slug: string) => Promise<string | null> }) {
  const query = validate(auditListQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  const cursor = decodeCursor(auditCursor, query.value.cursor);
  if (!cursor.ok) return problemJson(400, "The cursor is not one this API gave out; start again without it.", { errors: { cursor: ["Not a cursor from this API."] } });
  let tenantId = scope.tenantId;
  if (!tenantId && query.value.tenant && scope.resolveSlug) {
    tenantId = (await scope.resolveSlug(query.value.tenant)) ?? undefined;
    if (!tenantId) return problemJson(400, "Some query parameters are wrong.", { errors: { tenant: [`No tenant has the slug “${query.value.tenant}”.`] } });
  }
  const range = auditRangeError(query.value);
  if (range) return problemJson(400, "Some query parameters are wrong.", { errors: range });
  const { action, actor, from, to } = query.value;
  const page = await listAuditEventsBefore(db, { tenantId, action, actor, from, to, beforeId: cursor.value?.id ?? null, limit: query.value.limit });
  const last = page.rows.at(-1);
  return jsonResponse({ items: page.rows, next: page.more && last ? encodeCursor({ id: last.id }) : null });
}
