import { recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { clearedSessionCookie } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/** Ends the console session; the browser then ends the identity provider's through MSAL. */
export const POST = defineRoute({ access: "public" }, async (_request, { db, principal }) => {
  if (principal?.kind === "user") {
    await recordAudit(db, principal, { action: "user.sign-out", entityType: "user", entityId: principal.userId });
  }
  return Response.json({ ok: true }, { headers: { "set-cookie": clearedSessionCookie(), "cache-control": "no-store" } });
});
