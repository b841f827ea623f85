/**
 * Session records: started at sign-in (or when a display link is claimed), ended by sign-out, by
 * an admin, by a removed membership, a revoked display or idleness. Every instance reads the same
 * rows, so an ended session is refused everywhere at its next request.
 */
import "server-only";
import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { nocDisplays, sessions, users, type SessionEndReason } from "@/lib/db/schema";
import type { CommandRefusal } from "./result";

/**
 * How stale last-seen may get before a request moves it: one write a minute per active session
 * instead of one per request (a wall display polls every few seconds). The idle timeout is
 * therefore exact to within this much, erring early.
 */
export const SESSION_TOUCH_MS = 60_000;

/** Ended and expired records are kept this long (the Access page and audits read them), then pruned. */
export const SESSION_RECORD_KEEP_DAYS = 30;

export type SessionOwner = { kind: "user"; userId: string } | { kind: "display"; displayId: string };

/** A new live session for the owner; its id goes into the cookie. */
export async function startSession(db: Database, owner: SessionOwner, ttlSeconds: number, now = new Date()): Promise<string> {
  const [row] = await db
    .insert(sessions)
    .values({
      kind: owner.kind,
      userId: owner.kind === "user" ? owner.userId : null,
      displayId: owner.kind === "display" ? owner.displayId : null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    })
    .returning({ id: sessions.id });
  // Each sign-in adds a row; the owner's long-dead ones go, so the table does not grow forever.
  const cutoff = new Date(now.getTime() - SESSION_RECORD_KEEP_DAYS * 24 * 3600_000);
  await db
    .delete(sessions)
    .where(
      and(
        owner.kind === "user" ? eq(sessions.userId, owner.userId) : eq(sessions.displayId, owner.displayId),
        or(lt(sessions.endedAt, cutoff), lt(sessions.expiresAt, cutoff)),
      ),
    );
  return row!.id;
}

/** Ends one session; false when it had already ended. */
export async function endSession(db: Database, sessionId: string, reason: SessionEndReason, endedBy: string, now = new Date()): Promise<boolean> {
  const ended = await db
    .update(sessions)
    .set({ endedAt: now, endedReason: reason, endedBy })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)))
    .returning({ id: sessions.id });
  return ended.length > 0;
}

/** Ends every live session of a user or a display; how many ended. */
export async function endSessionsOf(
  db: Database,
  owner: { userId: string } | { displayId: string },
  reason: SessionEndReason,
  endedBy: string,
  now = new Date(),
): Promise<number> {
  const ended = await db
    .update(sessions)
    .set({ endedAt: now, endedReason: reason, endedBy })
    .where(and("userId" in owner ? eq(sessions.userId, owner.userId) : eq(sessions.displayId, owner.displayId), isNull(sessions.endedAt)))
    .returning({ id: sessions.id });
  return ended.length;
}

/**
 * Ends the sessions of whoever a (removed) membership named: matched as principal.ts matches a
 * membership, by object id (the identity provider's subject) or by sign-in name, both
 * case-insensitively. A user belongs to one tenant, so these are their sessions for it.
 */
export async function endSessionsForMembership(
  db: Database,
  membership: { principalKind: "object-id" | "sign-in-name"; principal: string },
  endedBy: string,
  now = new Date(),
): Promise<number> {
  const matches =
    membership.principalKind === "object-id"
      ? sql`lower(${users.subject}) = ${membership.principal.toLowerCase()}`
      : sql`lower(${users.signInName}) = ${membership.principal.toLowerCase()}`;
  const ended = await db
    .update(sessions)
    .set({ endedAt: now, endedReason: "membership-removed", endedBy })
    .where(and(isNull(sessions.endedAt), sql`${sessions.userId} in (select ${users.id} from ${users} where ${matches})`))
    .returning({ id: sessions.id });
  return ended.length;
}

/** Moves last-seen forward, unless another request (or instance) did within the last minute. */
export async function touchSession(db: Database, sessionId: string, now = new Date()): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt), lte(sessions.lastSeenAt, new Date(now.getTime() - SESSION_TOUCH_MS))));
}

/** An admin signs a person out everywhere: each of their sessions is refused at its next request. */
export async function endUserSessions(db: Database, actor: Principal, userId: string): Promise<{ ok: true; signInName: string; ended: number } | CommandRefusal> {
  const [user] = await db.select({ id: users.id, signInName: users.signInName }).from(users).where(eq(users.id, userId));
  if (!user) return { ok: false, status: 404, message: "No such user." };
  const ended = await db.transaction(async (tx) => {
    const count = await endSessionsOf(tx, { userId }, "ended-by-admin", actorName(actor));
    await recordAudit(tx, actor, { action: "user.end-sessions", entityType: "user", entityId: userId, after: { signInName: user.signInName, endedSessions: count } });
    return count;
  });
  return { ok: true, signInName: user.signInName, ended };
}

/** Signs a display's screens out without revoking the display: a new link signs a screen in again. */
export async function endDisplaySessions(db: Database, actor: Principal, displayId: string): Promise<{ ok: true; name: string; ended: number } | CommandRefusal> {
  const [display] = await db.select({ id: nocDisplays.id, name: nocDisplays.name }).from(nocDisplays).where(eq(nocDisplays.id, displayId));
  if (!display) return { ok: false, status: 404, message: "No such display." };
  const ended = await db.transaction(async (tx) => {
    const count = await endSessionsOf(tx, { displayId }, "ended-by-admin", actorName(actor));
    await recordAudit(tx, actor, { action: "noc-display.end-sessions", entityType: "noc-display", entityId: displayId, after: { endedSessions: count } });
    return count;
  });
  return { ok: true, name: display.name, ended };
}
