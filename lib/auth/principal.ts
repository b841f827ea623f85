import "server-only";
import { and, eq, isNull, ne, or, sql } from "drizzle-orm";
import { endSession, SESSION_TOUCH_MS, touchSession } from "@/lib/commands/sessions";
import type { Database } from "@/lib/db/client";
import { memberships, nocDisplays, sessions, tenants } from "@/lib/db/schema";
import type { Principal } from "./permissions";
import type { SessionClaims } from "./session";

export type SessionPolicy = {
  now: Date;
  /** A person's session ends after this long without a request; wall displays run unattended and are exempt. */
  idleMs: number;
  /**
   * A read the page made on its own (a poll), not the person: it is answered while the session
   * lives, but does not move a person's last seen, so an unattended screen still goes idle.
   */
  background?: boolean;
};

/**
 * The principal of a request's session, or null when its record says the session is over:
 * missing, ended (sign-out, an admin, a removed membership, a revoked display), expired, or idle
 * too long (which ends it here). A live session's last-seen moves at most once a minute, and
 * only for what a person did (pages, actions, their own requests), not for the page's polls.
 */
export async function authenticateSession(db: Database, claims: SessionClaims, policy: SessionPolicy): Promise<Principal | null> {
  // A wall display's session and its display (not revoked) in one statement: the wall polls
  // all day, and on the embedded database every statement waits its turn behind the agents'
  // posts (docs/benchmarks.md, "Fleet scale").
  const [record] = await db
    .select({
      kind: sessions.kind,
      userId: sessions.userId,
      displayId: sessions.displayId,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      endedAt: sessions.endedAt,
      liveDisplayName: nocDisplays.name,
    })
    .from(sessions)
    .leftJoin(nocDisplays, and(eq(nocDisplays.id, sessions.displayId), isNull(nocDisplays.revokedAt)))
    .where(eq(sessions.id, claims.sessionId));
  if (!record || record.endedAt || record.expiresAt <= policy.now) return null;
  // The cookie is sealed, so this holds unless the record was tampered with; check anyway.
  const owner = claims.kind === "user" ? record.userId === claims.userId : record.displayId === claims.displayId;
  if (record.kind !== claims.kind || !owner) return null;

  const idleFor = policy.now.getTime() - record.lastSeenAt.getTime();
  if (record.kind === "user" && idleFor > policy.idleMs) {
    await endSession(db, claims.sessionId, "idle", "system", policy.now);
    return null;
  }
  const principal: Principal | null =
    claims.kind === "display"
      ? record.liveDisplayName === null
        ? null
        : { kind: "display", displayId: claims.displayId, name: record.liveDisplayName, sessionId: claims.sessionId }
      : await resolvePrincipal(db, claims);
  // A display's last seen moves as it polls: that is how the Access page shows it is alive.
  const active = record.kind === "display" || !policy.background;
  if (principal && active && idleFor >= SESSION_TOUCH_MS) await touchSession(db, claims.sessionId, policy.now);
  return principal;
}

/**
 * Turns a session's claims into the principal of this request, asking the database what may
 * have changed since sign-in: a revoked NOC display or a removed membership takes effect at once.
 */
export async function resolvePrincipal(db: Database, claims: SessionClaims): Promise<Principal | null> {
  if (claims.kind === "display") {
    const [display] = await db
      .select({ id: nocDisplays.id, name: nocDisplays.name })
      .from(nocDisplays)
      .where(and(eq(nocDisplays.id, claims.displayId), isNull(nocDisplays.revokedAt)));
    if (!display) return null;
    return { kind: "display", displayId: display.id, name: display.name, sessionId: claims.sessionId };
  }

  const found = await db
    .select({ tenantId: tenants.id, slug: tenants.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(
      and(
        ne(tenants.state, "offboarded"),
        or(
          and(eq(memberships.principalKind, "object-id"), eq(memberships.principal, claims.subject.toLowerCase())),
          and(eq(memberships.principalKind, "sign-in-name"), eq(memberships.principal, sql`lower(${claims.signInName})`)),
        ),
      ),
    )
    .limit(2);
  // One user, one tenant. A person linked by object id to one tenant and by sign-in name to
  // another is ambiguous: fail closed and give them neither until an admin fixes it.
  const tenantIds = new Set(found.map((m) => m.tenantId));
  if (tenantIds.size > 1) console.warn(`[auth] ${claims.signInName} is a member of two tenants; access to both withheld`);
  const membership = tenantIds.size === 1 ? found[0] : undefined;
  return {
    kind: "user",
    userId: claims.userId,
    sessionId: claims.sessionId,
    signInName: claims.signInName,
    name: claims.name,
    roles: claims.roles,
    tenant: membership ? { id: membership.tenantId, slug: membership.slug, role: membership.role } : null,
  };
}
