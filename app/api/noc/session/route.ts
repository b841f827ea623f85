import { z } from "zod";
import { MAX_SIGN_IN_BYTES, readSmallJson, TOO_LARGE } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { DISPLAY_SESSION_SECONDS, getSessionKey, sealSession, sessionCookie } from "@/lib/auth/session";
import { claimDisplayLink } from "@/lib/commands/noc-displays";
import { readConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().regex(/^noc_[\w-]{43}$/) });

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

const refuse = (status: number, error: string) => Response.json({ error }, { status, headers: { "cache-control": "no-store" } });

/**
 * Turns a display link's token into the wall screen's long-lived, read-only session, once: a
 * link that was already used says so, and whom to ask for a new one.
 */
export const POST = defineRoute({ access: "public" }, async (request, { db }) => {
  // Anyone may call this: read a bounded body, never a whole stream into memory.
  const sent = await readSmallJson(request);
  if (sent === TOO_LARGE) return refuse(413, `This display link is malformed (the request is over ${MAX_SIGN_IN_BYTES} bytes). Ask a Bridgehead admin for a new one.`);
  const parsed = body.safeParse(sent);
  if (!parsed.success) return refuse(400, "This display link is malformed. Ask a Bridgehead admin for a new one.");
  const claim = await claimDisplayLink(db, parsed.data.token);
  if (!claim.ok) {
    switch (claim.reason) {
      case "used":
        return refuse(
          409,
          `This display link was already used, on ${when.format(claim.usedAt)} UTC: a link signs in one screen, once. ` +
            `Ask ${claim.issuedBy}, who issued it, or another Bridgehead admin to issue a new link for “${claim.displayName}” under Admin → Access.`,
        );
      case "revoked":
        return refuse(403, "This display has been revoked. Ask a Bridgehead admin to create a new display under Admin → Access.");
      case "unknown":
        return refuse(401, "This display link is unknown: a newer link may have replaced it. Ask a Bridgehead admin for the display's current link.");
    }
  }
  const claims = { kind: "display" as const, sessionId: claim.sessionId, displayId: claim.display.id, name: claim.display.name };
  const token = await sealSession(claims, getSessionKey(readConfig()), DISPLAY_SESSION_SECONDS);
  return Response.json({ home: "/noc" }, { headers: { "set-cookie": sessionCookie(token, DISPLAY_SESSION_SECONDS), "cache-control": "no-store" } });
});
