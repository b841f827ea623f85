import { entityTag, matchesStrongly, parseIfMatch } from "@/lib/api/if-match";
import { staleResponse } from "@/lib/api/preconditions";
import { jsonResponse, queryOf, readJsonBody, refusalResponse, validate } from "@/lib/api/request";
import { tenantOfSlug } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";
import { editTenant } from "@/lib/commands/edit-tenant";
import { offboardAfterChecks } from "@/lib/commands/offboard-after-checks";
import { readConfig } from "@/lib/config";
import { findTenantIdBySlug, getEditableTenant, getTenantSummary, getTenantVersion } from "@/lib/queries/tenants";
import { getSecretsKey } from "@/lib/secrets";
import { problemJson } from "@/lib/server/problem";
import { tenantPatchBody } from "@/lib/validation/api";
import { offboardInput } from "@/lib/validation/stretch";
import { editTenantRequest, IMMUTABLE_TENANT_FIELDS } from "@/lib/validation/tenant";

export const dynamic = "force-dynamic";

const etag = entityTag;

/** GET /api/v1/tenants/{slug} — the tenant, with an ETag to send back in If-Match when editing. */
export const GET = defineRoute({ access: "tenant:read", tenant: tenantOfSlug }, async (_request, { db, tenantId }) => {
  // The version first: an edit landing between the reads then makes this ETag stale (412 on a
  // PATCH) rather than one that vouches for a tenant newer than the body sent with it.
  const version = await getTenantVersion(db, tenantId!);
  const summary = await getTenantSummary(db, tenantId!);
  const editable = summary ? await getEditableTenant(db, summary.slug) : null;
  if (!summary || !version) return problemJson(404, "Not found.");
  return jsonResponse(
    { ...summary, contacts: editable?.contacts ?? [], latencyObjectiveMs: editable?.latencyObjectiveMs ?? null },
    { headers: { etag: etag(version) } },
  );
});

/**
 * PATCH /api/v1/tenants/{slug} — changes what may change after onboarding (the console's edit
 * form, same schema and command); fields left out keep their values, fixed fields are refused by
 * name. With If-Match, a tenant changed since that ETag gets 412 and nothing is written.
 */
export const PATCH = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  const { slug } = params;
  const tenantId = await findTenantIdBySlug(slug, db);
  if (!tenantId) return problemJson(404, "Not found.");
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  if (!body.value || typeof body.value !== "object" || Array.isArray(body.value)) {
    return problemJson(400, "Send a JSON object with the fields to change.");
  }
  const unknownFields = Object.keys(body.value).filter((field) => !(field in tenantPatchBody.shape) && !(field in IMMUTABLE_TENANT_FIELDS));
  if (unknownFields.length > 0) {
    return problemJson(400, "Some fields are not tenant fields.", { errors: Object.fromEntries(unknownFields.map((f) => [f, ["Not a field of a tenant; see the OpenAPI document."]])) });
  }
  const ifMatch = parseIfMatch(request.headers.get("if-match"));
  if (ifMatch.kind === "invalid") return problemJson(400, ifMatch.message, { errors: { "If-Match": [ifMatch.message] } });
  // `*` asks only that the tenant exist (RFC 9110): like no If-Match, the edit is pinned to its own read.
  const named = ifMatch.kind === "tags" ? ifMatch.tags : undefined;
  // The body is merged into the tenant as read here, so the edit is pinned to that read's version
  // even without If-Match: a change committed in between would otherwise be written back over with
  // the old value. Without If-Match the caller asked for no precondition, so we read again and retry.
  // The version is read before the fields: a version newer than the fields could pass the check.
  for (let attempt = 1; ; attempt++) {
    const readVersion = await getTenantVersion(db, tenantId);
    const current = await getEditableTenant(db, slug);
    if (!current || !readVersion) return problemJson(404, "Not found.");
    if (named && !matchesStrongly(named, readVersion)) return staleResponse("the tenant");
    const { slug: _slug, ...editable } = current;
    const merged = validate(editTenantRequest, { ...editable, plannedCutoverOn: editable.plannedCutoverOn ?? undefined, ...body.value });
    if (!merged.ok) return merged.response;
    const result = await editTenant(db, principal, merged.value, { secretsKey: getSecretsKey(readConfig()), ifVersion: readVersion });
    if (!result.ok && result.reason === "stale") {
      if (named) return problemJson(412, result.message);
      if (attempt < 3) continue;
      return problemJson(409, "The tenant kept changing while this edit was being applied; send it again.");
    }
    if (!result.ok) return refusalResponse(result);
    const version = await getTenantVersion(db, tenantId);
    return jsonResponse(await getEditableTenant(db, slug), { headers: version ? { etag: etag(version) } : {} });
  }
});

/**
 * DELETE /api/v1/tenants/{slug}[?reason=…] — offboards the tenant as the console's form does:
 * the same pre-checks (no tunnel attached, no traffic lately, no workload left), past a failed
 * one only with a reason; the slug in the path is the confirmation the form asks to type. 202
 * while the segment is being removed from Azure, 200 once offboarded; its history is kept.
 */
export const DELETE = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  const tenantId = await findTenantIdBySlug(params.slug, db);
  if (!tenantId) return problemJson(404, "Not found.");
  const input = validate(offboardInput, { id: tenantId, confirmSlug: params.slug, reason: queryOf(request).reason });
  if (!input.ok) return input.response;
  const result = await offboardAfterChecks(db, principal, input.value);
  if (!result.ok) return "checks" in result && result.checks ? problemJson(result.status, result.message, { extra: { checks: result.checks } }) : refusalResponse(result);
  return jsonResponse({ state: result.state, quarantinedUntil: result.quarantinedUntil }, { status: result.state === "offboarded" ? 200 : 202 });
});
