import { jsonResponse, queryOf, readBoundedText, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { bulkOnboard } from "@/lib/commands/bulk-onboard";
import { parseBulkCsv, parseBulkJson } from "@/lib/domain/bulk-rows";
import { problemJson } from "@/lib/server/problem";
import { bulkQuery } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * POST /api/v1/tenant-imports?mode=dry-run|all-or-nothing|per-row — onboards many tenants from a
 * CSV (text/csv) or JSON ({ rows }) body. A dry run (the default) reports per row the VLAN it
 * would get or what is wrong with it, and writes nothing; all-or-nothing commits only when every
 * row succeeds (else 422 and nothing written); per-row commits the rows that succeed.
 */
export const POST = defineRoute({ access: "fleet:write" }, async (request, { db, principal }) => {
  const query = validate(bulkQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  const type = request.headers.get("content-type") ?? "";
  const text = await readBoundedText(request, MAX_BODY_BYTES);
  if (text === null) return problemJson(413, `The body is over ${MAX_BODY_BYTES} bytes; send at most 1000 rows at a time.`);
  let parsed;
  if (/^text\/csv\b/i.test(type)) parsed = parseBulkCsv(text);
  else if (/^application\/json\b/i.test(type)) {
    try {
      parsed = parseBulkJson(JSON.parse(text));
    } catch {
      return problemJson(400, "The body is not valid JSON.");
    }
  } else return problemJson(415, "Send the rows as CSV (Content-Type: text/csv) or JSON (Content-Type: application/json).");
  if (!parsed.ok) return problemJson(400, parsed.error);
  const outcome = await bulkOnboard(db, principal, parsed.rows, query.value.mode);
  const status = outcome.mode === "all-or-nothing" ? (outcome.committed ? 201 : 422) : 200;
  return jsonResponse(outcome, { status });
});
