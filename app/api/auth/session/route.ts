import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { homePathFor } from "@/lib/auth/permissions";
import { resolvePrincipal } from "@/lib/auth/principal";
import { getSessionKey, sealSession, sessionCookie, USER_SESSION_SECONDS, type SessionClaims } from "@/lib/auth/session";
import { readConfig } from "@/lib/config";
import { users } from "@/lib/db/schema";
import { IdTokenError, verifyIdToken } from "@/lib/identity/id-token";

export const dynamic = "force-dynamic";

const body = z.object({ idToken: z.string().min(1).max(16_384) });

/**
 * Exchanges the ID token MSAL obtained in the browser for the console's own session cookie.
 * Public by nature (this is how one becomes signed in); the guard still refuses foreign origins.
 */
export const POST = defineRoute({ access: "public" }, async (request, { db }) => {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "Send JSON: { idToken }." }, { status: 400 });

  const config = readConfig();
  let identity;
  try {
    identity = await verifyIdToken(config, parsed.data.idToken);
  } catch (error) {
    if (error instanceof IdTokenError) return Response.json({ error: error.message }, { status: 401 });
    throw error;
  }

  const [user] = await db
    .insert(users)
    .values({ subject: identity.subject, signInName: identity.signInName, displayName: identity.name, lastSignInAt: new Date() })
    .onConflictDoUpdate({
      target: users.subject,
      set: { signInName: identity.signInName, displayName: identity.name, lastSignInAt: new Date() },
    })
    .returning({ id: users.id });
  const claims: SessionClaims = { kind: "user", userId: user!.id, ...identity };
  const principal = await resolvePrincipal(db, claims);
  await recordAudit(db, principal, { action: "user.sign-in", entityType: "user", entityId: user!.id, after: { roles: identity.roles } });

  const token = await sealSession(claims, getSessionKey(config), USER_SESSION_SECONDS);
  return Response.json(
    { home: homePathFor(principal!), name: identity.name },
    { headers: { "set-cookie": sessionCookie(token, USER_SESSION_SECONDS), "cache-control": "no-store" } },
  );
});
