import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { metricsScrapeTokens } from "@/lib/db/schema";
import { hashToken } from "./tokens";

/** A Prometheus server, known by one of the scrape tokens an admin made (Settings → Metrics). */
export type ScraperPrincipal = { tokenId: string; name: string };

const BEARER = /^Bearer (bhm_[\w-]{43})$/;
/** A scrape every 15 s need not write every time when it was last used. */
const LAST_USED_WRITE_MS = 5 * 60_000;

export async function authenticateScraper(authorization: string | null, db: Database): Promise<ScraperPrincipal | null> {
  const token = BEARER.exec(authorization ?? "")?.[1];
  if (!token) return null;
  const [row] = await db
    .select({ id: metricsScrapeTokens.id, name: metricsScrapeTokens.name, lastUsedAt: metricsScrapeTokens.lastUsedAt })
    .from(metricsScrapeTokens)
    .where(and(eq(metricsScrapeTokens.tokenHash, hashToken(token)), isNull(metricsScrapeTokens.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_WRITE_MS) {
    await db.update(metricsScrapeTokens).set({ lastUsedAt: new Date() }).where(eq(metricsScrapeTokens.id, row.id));
  }
  return { tokenId: row.id, name: row.name };
}
