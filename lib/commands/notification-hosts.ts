/**
 * The allow-list of hosts operators' channels may reach although they resolve to private or
 * link-local addresses (an internal relay, an on-premises mail server). Admins only; tenants'
 * channels never get it (lib/notifications/sender.ts policyFor).
 */
import "server-only";
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { actorName } from "@/lib/audit";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { notificationAllowedHosts } from "@/lib/db/schema";
import type { CommandRefusal } from "./result";

export async function allowHost(db: Database, actor: Principal, input: { host: string; reason: string }): Promise<{ ok: true } | CommandRefusal> {
  const host = input.host.replace(/^\[|\]$/g, "");
  try {
    await db.transaction(async (tx) => {
      const [row] = await tx.insert(notificationAllowedHosts).values({ host, reason: input.reason, createdBy: actorName(actor) }).returning();
      await recordAudit(tx, actor, { action: "notification-host.allow", entityType: "notification-host", entityId: row!.id, after: { host, reason: input.reason } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, status: 409, message: "Some fields need attention.", errors: { host: [`${host} is already allowed.`] } };
    throw error;
  }
  return { ok: true };
}

export async function removeAllowedHost(db: Database, actor: Principal, id: string): Promise<{ ok: true; host: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx.delete(notificationAllowedHosts).where(eq(notificationAllowedHosts.id, id)).returning();
    if (!row) return { ok: false as const, status: 404 as const, message: "No such host." };
    await recordAudit(tx, actor, { action: "notification-host.remove", entityType: "notification-host", entityId: row.id, before: { host: row.host } });
    return { ok: true as const, host: row.host };
  });
}
