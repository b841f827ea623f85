import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { DISPLAY_SESSION_SECONDS, getSessionKey, sealSession, sessionCookie } from "@/lib/auth/session";
import { hashToken } from "@/lib/auth/tokens";
import { readConfig } from "@/lib/config";
import { nocDisplays } from "@/lib/db/schema";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().regex(/^noc_[\w-]{43}$/) });

/** Turns a display link's token into the wall screen's long-lived, read-only session. */
export const POST = defineRoute({ access: "public" }, async (request, { db }) => {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "This display link is malformed. Ask an admin for a new one." }, { status: 400 });
  const [display] = await db
    .select({ id: nocDisplays.id, name: nocDisplays.name })
    .from(nocDisplays)
    .where(and(eq(nocDisplays.tokenHash, hashToken(parsed.data.token)), isNull(nocDisplays.revokedAt)));
  if (!display) return Response.json({ error: "This display link is unknown or has been revoked." }, { status: 401 });

  const principal = { kind: "display" as const, displayId: display.id, name: display.name };
  await recordAudit(db, principal, { action: "noc-display.connect", entityType: "noc-display", entityId: display.id });
  const token = await sealSession(principal, getSessionKey(readConfig()), DISPLAY_SESSION_SECONDS);
  return Response.json({ home: "/noc" }, { headers: { "set-cookie": sessionCookie(token, DISPLAY_SESSION_SECONDS), "cache-control": "no-store" } });
});
