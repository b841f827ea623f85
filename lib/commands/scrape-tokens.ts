/**
 * Scrape tokens for GET /metrics: 256-bit bearer secrets made by an admin, shown once, stored as
 * SHA-256 (as agent tokens and display links are). Several may live at once, so a Prometheus
 * pair or a rotation can overlap; revoking one stops it at the next scrape.
 */
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { metricsScrapeTokens } from "@/lib/db/schema";
import type { CommandRefusal } from "./result";

export async function createScrapeToken(db: Database, actor: Principal, name: string): Promise<{ ok: true; id: string; token: string }> {
  const token = newBearerToken("bhm");
  const id = await db.transaction(async (tx) => {
    const [row] = await tx.insert(metricsScrapeTokens).values({ name, tokenHash: hashToken(token), createdBy: actorName(actor) }).returning({ id: metricsScrapeTokens.id });
    await recordAudit(tx, actor, { action: "scrape-token.create", entityType: "scrape-token", entityId: row!.id, after: { name } });
    return row!.id;
  });
  return { ok: true, id, token };
}

export async function revokeScrapeToken(db: Database, actor: Principal, id: string): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(metricsScrapeTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(metricsScrapeTokens.id, id), isNull(metricsScrapeTokens.revokedAt)))
      .returning({ id: metricsScrapeTokens.id, name: metricsScrapeTokens.name });
    if (!row) return { ok: false as const, status: 404 as const, message: "No such token, or it is already revoked." };
    await recordAudit(tx, actor, { action: "scrape-token.revoke", entityType: "scrape-token", entityId: row.id, after: { name: row.name } });
    return { ok: true as const };
  });
}
