import { actorName, recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { clearedSessionCookie } from "@/lib/auth/session";
import { endSession } from "@/lib/commands/sessions";

export const dynamic = "force-dynamic";

/**
 * Ends the console session: its record, so a copy of the cookie taken before is refused too,
 * and the cookie itself. The browser then ends the identity provider's session through MSAL.
 */
export const POST = defineRoute({ access: "public" }, async (_request, { db, principal }) => {
  // A wall display's session too: its cookie lives 400 days, so a copy must not outlive the sign-out.
  // An API token has no session to end: it is revoked under Admin → Settings.
  if (principal && principal.kind !== "token" && principal.sessionId) {
    await endSession(db, principal.sessionId, "sign-out", actorName(principal));
    await recordAudit(
      db,
      principal,
      principal.kind === "user"
        ? { action: "user.sign-out", entityType: "user", entityId: principal.userId }
        : { action: "noc-display.sign-out", entityType: "noc-display", entityId: principal.displayId, after: { sessionId: principal.sessionId } },
    );
  }
  return Response.json({ ok: true }, { headers: { "set-cookie": clearedSessionCookie(), "cache-control": "no-store" } });
});
