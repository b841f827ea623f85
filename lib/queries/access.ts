import "server-only";
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { memberships, nocDisplays, sessions, tenants, users } from "@/lib/db/schema";

export async function listMemberships(db: Database) {
  return db
    .select({
      id: memberships.id,
      principal: memberships.principal,
      principalKind: memberships.principalKind,
      role: memberships.role,
      tenantSlug: tenants.slug,
      tenantName: tenants.displayName,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .orderBy(asc(tenants.displayName), asc(memberships.principal));
}

/** Live: not ended, not expired, and (for people) not idle past the timeout. */
function liveSessions(now: Date) {
  return and(isNull(sessions.endedAt), gt(sessions.expiresAt, now));
}

export async function listDisplays(db: Database, now = new Date()) {
  const [displays, live] = await Promise.all([
    db
      .select({
        id: nocDisplays.id,
        name: nocDisplays.name,
        createdBy: nocDisplays.createdBy,
        createdAt: nocDisplays.createdAt,
        linkIssuedBy: sql<string>`coalesce(${nocDisplays.linkIssuedBy}, ${nocDisplays.createdBy})`,
        linkIssuedAt: nocDisplays.linkIssuedAt,
        linkUsedAt: nocDisplays.linkUsedAt,
        revokedAt: nocDisplays.revokedAt,
      })
      .from(nocDisplays)
      .orderBy(desc(nocDisplays.createdAt)),
    db
      .select({ id: sessions.id, displayId: sessions.displayId, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
      .from(sessions)
      .where(and(eq(sessions.kind, "display"), liveSessions(now)))
      .orderBy(desc(sessions.lastSeenAt)),
  ]);
  return displays.map((display) => ({ ...display, sessions: live.filter((session) => session.displayId === display.id) }));
}

/** People with a live session: how many, since when, last seen; the newest activity first. */
export async function listSignedInUsers(db: Database, options: { now?: Date; idleMs: number }) {
  const now = options.now ?? new Date();
  return db
    .select({
      userId: users.id,
      signInName: users.signInName,
      displayName: users.displayName,
      sessions: sql<number>`count(*)::integer`,
      firstSignedInAt: sql<Date>`min(${sessions.createdAt})`.mapWith(sessions.createdAt),
      lastSeenAt: sql<Date>`max(${sessions.lastSeenAt})`.mapWith(sessions.lastSeenAt),
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(liveSessions(now), gt(sessions.lastSeenAt, new Date(now.getTime() - options.idleMs))))
    .groupBy(users.id, users.signInName, users.displayName)
    .orderBy(desc(sql`max(${sessions.lastSeenAt})`));
}

export async function listTenantChoices(db: Database) {
  return db.select({ slug: tenants.slug, displayName: tenants.displayName }).from(tenants).orderBy(asc(tenants.displayName));
}
