import "server-only";
/**
 * The console's JSON error answer for route handlers: `{ "error": "what to fix", ...details }`,
 * never cached (it may depend on who asked).
 */
export function problem(status: number, error: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return Response.json({ error, ...details }, { status, headers: { "cache-control": "no-store", ...headers } });
}
