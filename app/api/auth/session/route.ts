import { z } from "zod";
import { MAX_SIGN_IN_BYTES, readSmallJson, TOO_LARGE } from "@/lib/api/request";
import { recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { homePathFor } from "@/lib/auth/permissions";
import { resolvePrincipal } from "@/lib/auth/principal";
import { NONCE_COOKIE } from "@/lib/auth/cookie-name";
import { getSessionKey, readCookie, sealSession, sessionCookie, USER_SESSION_SECONDS, type SessionClaims } from "@/lib/auth/session";
import { readConfig } from "@/lib/config";
import { startSession } from "@/lib/commands/sessions";
import { users } from "@/lib/db/schema";
import { IdTokenError, verifyIdToken } from "@/lib/identity/id-token";

export const dynamic = "force-dynamic";

const body = z.object({ idToken: z.string().min(1).max(16_384) });

/**
 * Exchanges the ID token MSAL obtained in the browser for the console's own session cookie.
 * Public by nature (this is how one becomes signed in); the guard still refuses foreign origins.
 */
export const POST = defineRoute({ access: "public" }, async (request, { db }) => {
  // Anyone may call this: read a bounded body, never a whole stream into memory.
  const sent = await readSmallJson(request);
  if (sent === TOO_LARGE) return Response.json({ error: `Send JSON: { idToken }, at most ${MAX_SIGN_IN_BYTES} bytes.` }, { status: 413 });
  const parsed = body.safeParse(sent);
  if (!parsed.success) return Response.json({ error: "Send JSON: { idToken }." }, { status: 400 });

  const config = readConfig();
  const nonce = readCookie(request.headers.get("cookie"), NONCE_COOKIE);
  if (!nonce) return Response.json({ error: "This sign-in was not started here, or took too long. Sign in again." }, { status: 401 });
  let identity;
  try {
    identity = await verifyIdToken(config, parsed.data.idToken, nonce);
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
  // The record is the session's authority: sign-out, an admin or idleness ends it (lib/commands/sessions.ts).
  const sessionId = await startSession(db, { kind: "user", userId: user!.id }, USER_SESSION_SECONDS);
  const claims: SessionClaims = { kind: "user", sessionId, userId: user!.id, ...identity };
  const principal = await resolvePrincipal(db, claims);
  await recordAudit(db, principal, { action: "user.sign-in", entityType: "user", entityId: user!.id, after: { roles: identity.roles } });

  const token = await sealSession(claims, getSessionKey(config), USER_SESSION_SECONDS);
  const headers = new Headers({ "cache-control": "no-store" });
  headers.append("set-cookie", sessionCookie(token, USER_SESSION_SECONDS));
  // A nonce is good for one sign-in.
  headers.append("set-cookie", `${NONCE_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`);
  return Response.json({ home: homePathFor(principal!), name: identity.name }, { headers });
});
