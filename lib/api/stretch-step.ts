/**
 * What every stretch step route does around the console's own command: find the tenant, hold
 * the caller to the stretch it read (If-Match with the ETag of GET …/stretch, required: the
 * pre-checks and any reason were judged on that plan and stage), read the body with the step's
 * schema, run the command the page's button runs, and answer with the stretch as it now stands
 * and its new ETag. The command checks the version again under the tenant's row lock, so a step
 * that raced another still answers 412 and changes nothing.
 */
import "server-only";
import type { z } from "zod";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import type { CommandRefusal } from "@/lib/commands/result";
import type { CheckResult } from "@/lib/stretch/checks/types";
import { getStretchVersion, getStretchView, stretchAudienceOf } from "@/lib/queries/stretch";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { problemJson } from "@/lib/server/problem";
import { entityTag } from "./if-match";
import { checkIfMatch, staleResponse } from "./preconditions";
import { readBoundedText, jsonResponse, MAX_JSON_BYTES, readJsonBody, refusalResponse, validate } from "./request";

type StepOutcome = { ok: true } | (CommandRefusal & { checks?: CheckResult[] });

export type StepCall<TBody> = (input: { tenantId: string; slug: string; stageChangedAt: string; body: TBody }) => Promise<StepOutcome>;

/**
 * A step's body is JSON; steps whose fields are all optional (cut-over, roll-back, cancel-plan)
 * may also be sent with no body at all.
 */
async function readStepBody(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  if (request.headers.get("content-type") === null) {
    const text = await readBoundedText(request, MAX_JSON_BYTES);
    if (text === "") return { ok: true, value: {} };
    return { ok: false, response: problemJson(415, "Send the body as JSON with 'Content-Type: application/json', or no body at all.") };
  }
  return readJsonBody(request);
}

export async function runStretchStep<TSchema extends z.ZodType>(
  request: Request,
  context: { db: Database; principal: Principal; slug: string },
  schema: TSchema,
  step: StepCall<z.infer<TSchema>>,
  accepted: 200 | 202,
): Promise<Response> {
  const { db, principal, slug } = context;
  const tenantId = await findTenantIdBySlug(slug, db);
  const current = tenantId ? await getStretchVersion(db, tenantId) : null;
  if (!tenantId || current === null) return problemJson(404, "Not found.");
  const precondition = checkIfMatch(request, current, { required: true, what: "the stretch" });
  if (!precondition.ok) return precondition.response;
  const raw = await readStepBody(request);
  if (!raw.ok) return raw.response;
  const body = validate(schema, raw.value);
  if (!body.ok) return body.response;

  const result = await step({ tenantId, slug, stageChangedAt: precondition.version!, body: body.value });
  if (!result.ok) {
    if (result.reason === "stale") return staleResponse("the stretch");
    if (result.checks) return problemJson(result.status, result.message, { errors: result.errors, extra: { checks: result.checks } });
    return refusalResponse(result);
  }
  // The version before the view, as GET …/stretch does: a view newer than its ETag is never sent.
  const version = await getStretchVersion(db, tenantId);
  const view = await getStretchView(db, tenantId, new Date(), { audience: stretchAudienceOf(principal) });
  return jsonResponse(view, { status: accepted, headers: version ? { etag: entityTag(version) } : {} });
}
