/** PostgreSQL's SQLSTATE, from the driver's error or the cause drizzle wraps it in. */
export function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

/**
 * A statement cancelled by the server: past the session's statement_timeout (lib/db/client.ts,
 * STATEMENT_TIMEOUTS) or by an administrator's pg_cancel_backend. Either way the database did
 * not finish in time, and the same request may well succeed later.
 */
export function isStatementCancelled(error: unknown): boolean {
  return sqlState(error) === "57014";
}
