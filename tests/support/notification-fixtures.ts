/**
 * A scripted warning sequence for notification tests: warnings opened, escalated and resolved
 * exactly as the evaluation writes them (the row and its outbox event in one transaction,
 * through enqueueWarningNotifications), at times the test chooses. Time is the test's: nothing
 * here reads the clock.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { tenants, tunnels, warnings } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import type { WarningSeverity } from "@/lib/domain/status";
import { runNotificationDispatch } from "@/lib/notifications/dispatch";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";
import { runNotificationSender } from "@/lib/notifications/sender";

export const ADMIN: Principal = { kind: "user", userId: randomUUID(), signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };
export const CONSOLE_URL = "https://console.test";

export async function seedTenants(db: Database) {
  const secretsKey = randomBytes(32);
  await seedDemoData(db, { secretsKey });
  const rows = await db.select({ id: tenants.id, slug: tenants.slug }).from(tenants);
  const tenantId = (slug: string) => rows.find((r) => r.slug === slug)!.id;
  const tunnelRows = await db.select({ id: tunnels.id, tenantId: tunnels.tenantId, ordinal: tunnels.ordinal, name: tunnels.name }).from(tunnels);
  const tunnelOf = (slug: string, ordinal = 1) => tunnelRows.find((t) => t.tenantId === tenantId(slug) && t.ordinal === ordinal)!;
  return { secretsKey, tenantId, tunnelOf };
}

export function warningScript(db: Database) {
  return {
    async open(w: { tenantId: string; tunnelId: string | null; kind: string; severity: WarningSeverity; at: Date; message?: string }): Promise<string> {
      return db.transaction(async (tx) => {
        const dedupeKey = `${w.kind}:${w.tunnelId ?? w.tenantId}:${randomUUID()}`;
        await enqueueWarningNotifications(tx, [{ op: "open", dedupeKey, values: { tenantId: w.tenantId, kind: w.kind, severity: w.severity, openedAt: w.at } }]);
        const [row] = await tx
          .insert(warnings)
          .values({ tenantId: w.tenantId, tunnelId: w.tunnelId, kind: w.kind, severity: w.severity, dedupeKey, message: w.message ?? `${w.kind} on test`, openedAt: w.at, lastSeenAt: w.at })
          .returning({ id: warnings.id });
        return row!.id;
      });
    },
    async escalate(id: string, severity: WarningSeverity, at: Date) {
      await db.transaction(async (tx) => {
        await enqueueWarningNotifications(tx, [{ op: "update", id, set: { severity, lastSeenAt: at } }]);
        await tx.update(warnings).set({ severity, lastSeenAt: at }).where(eq(warnings.id, id));
      });
    },
    async resolve(id: string, at: Date) {
      await db.transaction(async (tx) => {
        await enqueueWarningNotifications(tx, [{ op: "resolve", id, set: { resolvedAt: at } }]);
        await tx.update(warnings).set({ state: "resolved", resolvedAt: at, resolvedBy: "system" }).where(eq(warnings.id, id));
      });
    },
  };
}

/** A clock the test moves: `at(seconds)` is that many seconds after the start. */
export function testClock(start = new Date("2026-11-21T10:00:00Z")) {
  return { start, at: (seconds: number) => new Date(start.getTime() + seconds * 1000) };
}

/** One pass of the notification job at `now`: dispatch, then send (repeated while there is more to send). */
export async function runJobAt(db: Database, now: Date, env: { secretsKey: Uint8Array; ca?: string; workerId?: string }) {
  const dispatched = await runNotificationDispatch(db, { now, consoleUrl: CONSOLE_URL });
  let delivered = 0;
  for (let i = 0; i < 20; i++) {
    const round = await runNotificationSender(db, { now, workerId: env.workerId ?? "test", secretsKey: env.secretsKey, allowLoopback: true, ca: env.ca });
    delivered += round.delivered;
    if (round.delivered === 0) break;
  }
  return { dispatched, delivered };
}
