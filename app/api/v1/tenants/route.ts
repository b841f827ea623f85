import { z } from "zod";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { callerOf, runIdempotent } from "@/lib/api/idempotency";
import { jsonResponse, queryOf, readJsonBody, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { listTenantsAfter } from "@/lib/queries/tenant-list";
import { problemBody, problemJson } from "@/lib/server/problem";
import { tenantListQuery } from "@/lib/validation/api";
import { onboardTenantInput } from "@/lib/validation/tenant";

export const dynamic = "force-dynamic";

const tenantCursor = z.object({ slug: z.string() });

/**
 * GET /api/v1/tenants — the console's tenant list with its filters (q, state, cloud, tunnel,
 * segment, cutover), in slug order, `limit` at a time; `next` is the cursor for the next page.
 */
export const GET = defineRoute({ access: "portal:read" }, async (request, { db }) => {
  const query = validate(tenantListQuery, queryOf(request), "Some query parameters are wrong.");
  if (!query.ok) return query.response;
  const cursor = decodeCursor(tenantCursor, query.value.cursor);
  if (!cursor.ok) return problemJson(400, "The cursor is not one this API gave out; start again without it.", { errors: { cursor: ["Not a cursor from this API."] } });
  const { cursor: _, limit, ...filters } = query.value;
  const page = await listTenantsAfter(db, filters, { afterSlug: cursor.value?.slug ?? null, limit });
  const last = page.rows.at(-1);
  return jsonResponse({ items: page.rows, next: page.more && last ? encodeCursor({ slug: last.slug }) : null });
});

/**
 * POST /api/v1/tenants — onboards a tenant (the console's onboarding form, same schema and
 * command). Send an Idempotency-Key: a retry with the same key and body answers the first
 * result again instead of onboarding twice.
 */
export const POST = defineRoute({ access: "fleet:write" }, async (request, { db, principal }) => {
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const input = validate(onboardTenantInput, body.value);
  if (!input.ok) return input.response;
  return runIdempotent(db, request, callerOf(principal), body.value, async (tx) => {
    const result = await onboardTenant(tx, principal, input.value);
    if (!result.ok) return { status: result.status, body: problemBody(result.status, result.message, result.errors) };
    return {
      status: 201,
      location: `/api/v1/tenants/${result.slug}`,
      body: { id: result.tenantId, slug: result.slug, vlanId: result.vlanId, vni: result.vni, state: "onboarding" },
    };
  });
});
