/**
 * NOC displays: wall screens signed in by a link instead of a person. A link works once: the
 * first open claims it and starts the screen's session; a second open is told the link was used
 * and whom to ask. An admin issues a new link (the old one stops) or revokes the display (every
 * session of it ends).
 */
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { DISPLAY_SESSION_SECONDS } from "@/lib/auth/session";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { nocDisplays } from "@/lib/db/schema";
import { endSessionsOf, startSession } from "./sessions";

export const DISPLAY_TOKEN_PREFIX = "noc";

export async function createDisplay(db: Database, actor: Principal, name: string, now = new Date()) {
  const token = newBearerToken(DISPLAY_TOKEN_PREFIX);
  const display = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(nocDisplays)
      .values({ name, tokenHash: hashToken(token), createdBy: actorName(actor), linkIssuedBy: actorName(actor), linkIssuedAt: now, linkUsedAt: null, createdAt: now })
      .returning({ id: nocDisplays.id, name: nocDisplays.name });
    await recordAudit(tx, actor, { action: "noc-display.create", entityType: "noc-display", entityId: row!.id, after: row });
    return row!;
  });
  return { ...display, token };
}

/** A fresh link for a display; the previous link, used or not, stops working. Sessions already running stay. */
export async function issueDisplayLink(db: Database, actor: Principal, displayId: string, now = new Date()) {
  const token = newBearerToken(DISPLAY_TOKEN_PREFIX);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(nocDisplays)
      .set({ tokenHash: hashToken(token), linkIssuedBy: actorName(actor), linkIssuedAt: now, linkUsedAt: null })
      .where(and(eq(nocDisplays.id, displayId), isNull(nocDisplays.revokedAt)))
      .returning({ id: nocDisplays.id, name: nocDisplays.name });
    if (!row) return null;
    await recordAudit(tx, actor, { action: "noc-display.issue-link", entityType: "noc-display", entityId: displayId, after: { linkIssuedAt: now } });
    return { ...row, token };
  });
}

/** Revokes a display: its link stops and every session of it ends at the screen's next request. */
export async function revokeDisplay(db: Database, actor: Principal, displayId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(nocDisplays)
      .set({ revokedAt: now })
      .where(and(eq(nocDisplays.id, displayId), isNull(nocDisplays.revokedAt)))
      .returning({ id: nocDisplays.id, name: nocDisplays.name });
    if (!row) return null;
    const endedSessions = await endSessionsOf(tx, { displayId }, "display-revoked", actorName(actor), now);
    await recordAudit(tx, actor, { action: "noc-display.revoke", entityType: "noc-display", entityId: displayId, after: { revoked: true, endedSessions } });
    return row;
  });
}

export type ClaimResult =
  | { ok: true; display: { id: string; name: string }; sessionId: string }
  | { ok: false; reason: "unknown" | "revoked" }
  | { ok: false; reason: "used"; usedAt: Date; issuedBy: string; displayName: string };

/**
 * Trades a link's token for a display session, once. The claim is one conditional update, so
 * two screens opening the same link at the same moment cannot both get a session.
 */
export async function claimDisplayLink(db: Database, token: string, now = new Date()): Promise<ClaimResult> {
  const tokenHash = hashToken(token);
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(nocDisplays)
      .set({ linkUsedAt: now })
      .where(and(eq(nocDisplays.tokenHash, tokenHash), isNull(nocDisplays.revokedAt), isNull(nocDisplays.linkUsedAt)))
      .returning({ id: nocDisplays.id, name: nocDisplays.name });
    if (claimed) {
      const sessionId = await startSession(tx, { kind: "display", displayId: claimed.id }, DISPLAY_SESSION_SECONDS, now);
      const principal = { kind: "display" as const, displayId: claimed.id, name: claimed.name, sessionId };
      await recordAudit(tx, principal, { action: "noc-display.connect", entityType: "noc-display", entityId: claimed.id, after: { sessionId } });
      return { ok: true as const, display: claimed, sessionId };
    }
    const [display] = await tx
      .select({ name: nocDisplays.name, revokedAt: nocDisplays.revokedAt, linkUsedAt: nocDisplays.linkUsedAt, linkIssuedBy: nocDisplays.linkIssuedBy, createdBy: nocDisplays.createdBy })
      .from(nocDisplays)
      .where(eq(nocDisplays.tokenHash, tokenHash));
    if (!display) return { ok: false as const, reason: "unknown" as const };
    if (display.revokedAt) return { ok: false as const, reason: "revoked" as const };
    return { ok: false as const, reason: "used" as const, usedAt: display.linkUsedAt ?? now, issuedBy: display.linkIssuedBy ?? display.createdBy, displayName: display.name };
  });
}
