/**
 * What a route answers when its work throws something other than a refusal it chose: the same
 * answer from `defineRoute` (lib/auth/guards.ts) and from the telemetry fast path in front of
 * Next (lib/server/telemetry-fast-path.ts), so an agent cannot tell which one served it.
 */
import "server-only";
import { isStatementCancelled } from "@/lib/db/errors";
import type { PlainAnswer } from "./answer";
import { ClientLeft } from "./client-left";
import { GroupCommitFull } from "./group-commit";
import { problemAnswer } from "./problem";

export const STATEMENT_CANCELLED_MESSAGE =
  "The database did not answer in time (a statement ran past the request limit); try again in a moment. If it keeps happening, the database is overloaded or a lock is held: see the server log.";

export function logStatementCancelled(door: "route" | "action", error: unknown) {
  console.error(`[${door}] a database statement was cancelled (statement timeout):`, error instanceof Error ? error.message : error);
}

/**
 * A statement past the request limit (STATEMENT_TIMEOUTS in lib/db/client.ts): the database is
 * overloaded or something holds a lock the request needs. Not the caller's fault, and worth
 * trying again, so 503 with Retry-After; logged, as an operator should look if it repeats.
 */
export function statementCancelledAnswer(error: unknown): PlainAnswer {
  logStatementCancelled("route", error);
  return problemAnswer(503, STATEMENT_CANCELLED_MESSAGE, { headers: { "retry-after": "5" } });
}

/** Anything a route's work threw: 503 when the database is behind, 400 (noted) when the client left, else 500 (logged). */
export function routeFailureAnswer(error: unknown): PlainAnswer {
  // The database is behind (lib/server/group-commit.ts; GroupCommitExpired is one too): a client
  // that waits and sends again is answered; one more request held in memory is not.
  if (error instanceof GroupCommitFull) return problemAnswer(503, error.message, { headers: { "retry-after": "10" } });
  if (isStatementCancelled(error)) return statementCancelledAnswer(error);
  // A client gone mid-body is no failure of the server's: a line below the errors, no stack. Next
  // still writes the answer a route returns; it goes nowhere (the fast path writes none).
  if (error instanceof ClientLeft) {
    console.info(`[route] ${error.message} Not a failure; its answer goes nowhere.`);
    return problemAnswer(400, error.message);
  }
  console.error("[route] failed:", error);
  // problem+json as a token's call gets (its `error` field keeps the console's older readers working).
  return problemAnswer(500, "Internal error; see the server log.");
}
