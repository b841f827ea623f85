import "server-only";
import { problemJson } from "./problem";

/**
 * The console's JSON error answer for route handlers: RFC 9457 problem+json whose `error` (and
 * `detail`) says what to fix, plus any details (e.g. `fields`); never cached (it may depend on who asked).
 */
export function problem(status: number, error: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return problemJson(status, error, { extra: details, headers });
}
