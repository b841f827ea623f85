/**
 * If-Match on the API's edits: which version of a resource the caller read, checked against the
 * current one (lib/api/if-match.ts parses and compares). `optional` edits go ahead without the
 * header, as the tenant PATCH and the pool PUT always did; `required` ones (the stretch steps)
 * answer 428 until the caller names what it read, because `*` proves nothing about that.
 */
import "server-only";
import { problemJson } from "@/lib/server/problem";
import { matchesStrongly, parseIfMatch } from "./if-match";

export type Precondition = { ok: true; version: string | undefined } | { ok: false; response: Response };

export function checkIfMatch(
  request: Request,
  current: string,
  options: { required: boolean; what: string },
): Precondition {
  const parsed = parseIfMatch(request.headers.get("if-match"));
  if (parsed.kind === "invalid") return { ok: false, response: problemJson(400, parsed.message, { errors: { "If-Match": [parsed.message] } }) };
  if (parsed.kind === "absent" || parsed.kind === "any") {
    if (!options.required) return { ok: true, version: undefined };
    return {
      ok: false,
      response: problemJson(428, `Send If-Match with the ETag of ${options.what} as you read it (GET it first): this step is judged on what you read, so * or no If-Match is not enough.`),
    };
  }
  if (!matchesStrongly(parsed.tags, current)) {
    return { ok: false, response: staleResponse(options.what) };
  }
  return { ok: true, version: current };
}

export function staleResponse(what: string): Response {
  return problemJson(412, `${capitalize(what)} changed since the version named in If-Match (a weak W/ tag never matches an edit): GET it again, check it, and retry with its new ETag.`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
