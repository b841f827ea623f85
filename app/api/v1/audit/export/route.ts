import { auditExportStream } from "@/lib/api/audit-export";
import { queryOf, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { problemJson } from "@/lib/server/problem";
import { auditExportQuery } from "@/lib/validation/api";
import { auditRangeError } from "@/lib/validation/audit";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit/export?format=csv|jsonl — the whole (filtered) audit trail as a download, newest first: the audit page's export buttons. */
export const GET = defineRoute({ access: "portal:read" }, async (request, { db }) => {
  const query = validate(auditExportQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  let tenantId: string | undefined;
  if (query.value.tenant) {
    tenantId = (await findTenantIdBySlug(query.value.tenant, db)) ?? undefined;
    if (!tenantId) return problemJson(400, "Some query parameters are wrong.", { errors: { tenant: [`No tenant has the slug “${query.value.tenant}”.`] } });
  }
  const range = auditRangeError(query.value);
  if (range) return problemJson(400, "Some query parameters are wrong.", { errors: range });
  const { action, actor, from, to, format } = query.value;
  const csv = format === "csv";
  return new Response(auditExportStream(db, { tenantId, action, actor, from, to }, format), {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
      "content-disposition": `attachment; filename="bridgehead-audit.${csv ? "csv" : "jsonl"}"`,
      "cache-control": "no-store",
    },
  });
});
