/**
 * `Idempotency-Key` on POST: the first request with a key runs and its answer is kept for a day;
 * a retry with the same key and body gets that answer again (`Idempotent-Replayed: true`)
 * instead of onboarding a second tenant. The record and the work commit in one transaction, so
 * a failed request (5xx, rolled back) leaves no record and may be retried; two requests racing
 * with one key queue on the record's unique index, and the second replays the first's answer.
 */
import "server-only";
import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { idempotentRequests } from "@/lib/db/schema";
import { problemJson } from "@/lib/server/problem";

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
const KEEP_MS = 24 * 3600_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

export type StoredAnswer = { status: number; body: unknown; location?: string };

export async function runIdempotent(
  db: Database,
  request: Request,
  caller: string,
  body: unknown,
  work: (tx: Database) => Promise<StoredAnswer>,
): Promise<Response> {
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return toResponse(await work(db), false);
  if (!KEY.test(key)) return problemJson(400, "Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID.", { errors: { "Idempotency-Key": ["1–255 visible ASCII characters."] } });
  const fingerprint = createHash("sha256")
    .update(`${request.method} ${new URL(request.url).pathname}\n${JSON.stringify(body)}`)
    .digest("hex");

  return db.transaction(async (tx) => {
    await tx.delete(idempotentRequests).where(lt(idempotentRequests.createdAt, sql`${new Date(Date.now() - KEEP_MS)}`));
    const [claimed] = await tx
      .insert(idempotentRequests)
      .values({ caller, key, requestHash: fingerprint })
      .onConflictDoNothing()
      .returning({ id: idempotentRequests.id });
    if (!claimed) {
      const [first] = await tx
        .select()
        .from(idempotentRequests)
        .where(and(eq(idempotentRequests.caller, caller), eq(idempotentRequests.key, key)));
      if (!first || first.status === null) {
        return problemJson(409, "A request with this Idempotency-Key is still running; retry in a moment.", { headers: { "retry-after": "1" } });
      }
      if (first.requestHash !== fingerprint) {
        return problemJson(422, "This Idempotency-Key was used for a different request; use a new key for a new request.");
      }
      return toResponse(first.body as StoredAnswer, true);
    }
    const answer = await work(tx);
    await tx.update(idempotentRequests).set({ status: answer.status, body: answer }).where(eq(idempotentRequests.id, claimed.id));
    return toResponse(answer, false);
  });
}

function toResponse(answer: StoredAnswer, replayed: boolean): Response {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (answer.location) headers.location = answer.location;
  if (replayed) headers["idempotent-replayed"] = "true";
  if (answer.status >= 400) {
    headers["content-type"] = "application/problem+json";
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
  }
  return Response.json(answer.body, { status: answer.status, headers });
}

/** Who a key belongs to: keys are per caller, so two scripts cannot collide or replay each other's answers. */
export function callerOf(principal: Principal): string {
  switch (principal.kind) {
    case "token":
      return `token:${principal.tokenId}`;
    case "user":
      return `user:${principal.userId}`;
    case "display":
      return `display:${principal.displayId}`;
  }
}
