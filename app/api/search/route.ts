import { queryOf, validate } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { searchScopeOf } from "@/lib/auth/search-scope";
import { searchFleet } from "@/lib/queries/search";
import { problemJson } from "@/lib/server/problem";
import { searchRequest } from "@/lib/validation/search";

export const dynamic = "force-dynamic";

/**
 * GET /api/search?q=… — the header's search box. Signed in as anyone who has a box: the guard
 * authenticates ("public" only because the scope, not one permission, decides what is visible),
 * and the scope comes from the principal, never from the request.
 */
export const GET = defineRoute({ access: "public" }, async (request, { db, principal }) => {
  if (!principal) return problemJson(401, "Sign in to search.");
  const scope = searchScopeOf(principal);
  if (!scope) return problemJson(403, "This account has no search: it reaches no tenant.");
  const query = validate(searchRequest, queryOf(request), "The search is wrong.");
  if (!query.ok) return query.response;
  return Response.json(await searchFleet(db, query.value.q, scope), { headers: { "cache-control": "no-store" } });
});
