/**
 * Which requests count as coming from the console's own pages. Compared with the configured
 * public origin, never with the request's Host: neither a forwarded header nor a DNS-rebound
 * host name can make a foreign page look like ours.
 */

export const FOREIGN_ORIGIN_MESSAGE = "Refused: the request came from another site.";

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A state-changing request must carry our Origin. Browsers always send Origin on cross-origin
 * requests and on same-origin POSTs; its absence means a non-browser client, which has no
 * business using cookie authentication.
 */
export function isForeignStateChange(method: string, origin: string | null, publicUrl: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase()) && origin !== publicUrl;
}

/**
 * Whether Next.js would take this request to a page for a server action: one naming the action
 * in a `Next-Action` header (a page's own fetch), or any multipart form POST (a form posted
 * before the page's scripts ran, naming the action in a `$ACTION_ID_…` field). The second is
 * what another site can actually send: a cross-site form cannot set a custom header.
 */
function isServerActionRequest(request: { method: string; headers: Headers }): boolean {
  if (request.headers.has("next-action")) return true;
  return request.method.toUpperCase() === "POST" && (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
}

/**
 * A server action from another site, answered before Next.js sees it: Next's own check
 * compares Origin with Host and throws, which the browser would get as a 500 saying nothing.
 * The action itself never runs either way.
 */
export function refuseForeignServerAction(request: { method: string; headers: Headers }, publicUrl: string): Response | null {
  if (!isServerActionRequest(request)) return null;
  if (!isForeignStateChange(request.method, request.headers.get("origin"), publicUrl)) return null;
  return Response.json(
    { error: `${FOREIGN_ORIGIN_MESSAGE} Server actions are accepted only from pages of ${publicUrl}.` },
    { status: 403, headers: { "cache-control": "no-store" } },
  );
}
