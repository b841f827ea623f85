import { and, eq, isNull, ne, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { memberships, nocDisplays, tenants } from "@/lib/db/schema";
import type { Principal } from "./permissions";
import type { SessionClaims } from "./session";

/** How often a display's last-seen time is written: a wall refreshing every few seconds need not. */
const DISPLAY_SEEN_WRITE_MS = 5 * 60_000;

/**
 * Turns a session's claims into the principal of this request, asking the database what may
 * have changed since sign-in: a revoked NOC display or a removed membership takes effect at once.
 */
export async function resolvePrincipal(db: Database, claims: SessionClaims): Promise<Principal | null> {
  if (claims.kind === "display") {
    const [display] = await db
      .select({ id: nocDisplays.id, name: nocDisplays.name, lastSeenAt: nocDisplays.lastSeenAt })
      .from(nocDisplays)
      .where(and(eq(nocDisplays.id, claims.displayId), isNull(nocDisplays.revokedAt)));
    if (!display) return null;
    if (!display.lastSeenAt || Date.now() - display.lastSeenAt.getTime() > DISPLAY_SEEN_WRITE_MS) {
      await db.update(nocDisplays).set({ lastSeenAt: new Date() }).where(eq(nocDisplays.id, display.id));
    }
    return { kind: "display", displayId: display.id, name: display.name };
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
    signInName: claims.signInName,
    name: claims.name,
    roles: claims.roles,
    tenant: membership ? { id: membership.tenantId, slug: membership.slug, role: membership.role } : null,
  };
}
