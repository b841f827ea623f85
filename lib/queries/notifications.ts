/**
 * What the notification settings pages and the delivery log show. Owner scoping is the caller's
 * (a page passes the tenant its guard resolved, or null for the operators' own); nothing here
 * returns a secret: a channel's target is described without its secret part.
 */
import "server-only";
import { and, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { recordVersion } from "@/lib/domain/tenant-version";
import {
  demoInbox,
  maintenanceWindows,
  metricsScrapeTokens,
  notificationAllowedHosts,
  notificationAttempts,
  notificationChannels,
  notificationDeliveries,
  notificationRoutes,
  notificationSilences,
  tenants,
  tunnels,
} from "@/lib/db/schema";
import { describeTarget } from "@/lib/commands/notification-channels";
import { isInhibited, maintenanceCovers, type RoutedWarning } from "@/lib/notifications/routing";

const ownedBy = <T extends typeof notificationChannels.tenantId | typeof notificationRoutes.tenantId>(column: T, owner: string | null) =>
  owner === null ? isNull(column) : eq(column, owner);

export async function listChannels(db: Database, owner: string | null) {
  const rows = await db.select().from(notificationChannels).where(ownedBy(notificationChannels.tenantId, owner)).orderBy(notificationChannels.createdAt);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const last = await db
    .selectDistinctOn([notificationDeliveries.channelId], {
      channelId: notificationDeliveries.channelId,
      status: notificationDeliveries.status,
      createdAt: notificationDeliveries.createdAt,
      lastAnswer: notificationDeliveries.lastAnswer,
    })
    .from(notificationDeliveries)
    .where(inArray(notificationDeliveries.channelId, ids))
    .orderBy(notificationDeliveries.channelId, desc(notificationDeliveries.createdAt));
  const pending = await db
    .select({ channelId: notificationDeliveries.channelId, n: sql<number>`count(*)::int` })
    .from(notificationDeliveries)
    .where(and(inArray(notificationDeliveries.channelId, ids), eq(notificationDeliveries.status, "pending")))
    .groupBy(notificationDeliveries.channelId);
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    target: describeTarget(c.settings),
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    last: last.find((l) => l.channelId === c.id) ?? null,
    pending: pending.find((p) => p.channelId === c.id)?.n ?? 0,
  }));
}
export type ChannelRow = Awaited<ReturnType<typeof listChannels>>[number];

/** One channel with its owner, for the delivery log page; the page checks the owner against its guard. */
/**
 * One channel for its page: where it sends (described, never a secret), its version for an edit
 * (the API's ETag), and an e-mail channel's settings to fill the edit form with (none of them
 * secret: the password stays encrypted and is only said to be there).
 */
export async function getChannelSummary(db: Database, id: string) {
  const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  if (!row) return null;
  const mail = row.settings.kind === "email" ? { ...row.settings, hasPassword: row.secretCiphertext !== null } : null;
  return { id: row.id, tenantId: row.tenantId, name: row.name, kind: row.kind, target: describeTarget(row.settings), version: recordVersion(row), mail };
}

export type ChannelSummary = NonNullable<Awaited<ReturnType<typeof getChannelSummary>>>;

/** The delivery log: newest first, each with its attempts (time, answer, outcome). */
export async function listDeliveries(db: Database, channelId: string, limit = 50) {
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      event: notificationDeliveries.event,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastAnswer: notificationDeliveries.lastAnswer,
      reason: notificationDeliveries.reason,
      createdAt: notificationDeliveries.createdAt,
      finishedAt: notificationDeliveries.finishedAt,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
      title: sql<string>`${notificationDeliveries.payload}->>'title'`,
    })
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.channelId, channelId))
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(limit);
  const attempts = rows.length
    ? await db.select().from(notificationAttempts).where(inArray(notificationAttempts.deliveryId, rows.map((r) => r.id))).orderBy(notificationAttempts.at, notificationAttempts.id)
    : [];
  return rows.map((r) => ({ ...r, tries: attempts.filter((a) => a.deliveryId === r.id) }));
}

export async function listRoutes(db: Database, owner: string | null) {
  return db
    .select({
      id: notificationRoutes.id,
      channelName: notificationChannels.name,
      channelKind: notificationChannels.kind,
      matchTenant: tenants.displayName,
      minSeverity: notificationRoutes.minSeverity,
      kinds: notificationRoutes.kinds,
      groupWaitSeconds: notificationRoutes.groupWaitSeconds,
      repeatIntervalMinutes: notificationRoutes.repeatIntervalMinutes,
      sendResolved: notificationRoutes.sendResolved,
    })
    .from(notificationRoutes)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationRoutes.channelId))
    .leftJoin(tenants, eq(tenants.id, notificationRoutes.matchTenantId))
    .where(ownedBy(notificationRoutes.tenantId, owner))
    .orderBy(notificationRoutes.createdAt);
}

/** Silences of one owner that are running, coming, or ended in the last day. */
export async function listSilences(db: Database, owner: string | null, now: Date) {
  return db
    .select({
      id: notificationSilences.id,
      tenant: tenants.displayName,
      tunnel: tunnels.name,
      kind: notificationSilences.kind,
      startsAt: notificationSilences.startsAt,
      endsAt: notificationSilences.endsAt,
      reason: notificationSilences.reason,
      createdBy: notificationSilences.createdBy,
      endedBy: notificationSilences.endedBy,
    })
    .from(notificationSilences)
    .leftJoin(tenants, eq(tenants.id, notificationSilences.tenantId))
    .leftJoin(tunnels, eq(tunnels.id, notificationSilences.tunnelId))
    .where(and(owner === null ? isNull(notificationSilences.ownerTenantId) : eq(notificationSilences.ownerTenantId, owner), gt(notificationSilences.endsAt, new Date(now.getTime() - 86_400_000))))
    .orderBy(desc(notificationSilences.endsAt));
}

/** Maintenance windows running, coming, or ended in the last day; one tenant's or all. */
export async function listMaintenanceWindows(db: Database, tenantId: string | null, now: Date) {
  return db
    .select({
      id: maintenanceWindows.id,
      tenant: tenants.displayName,
      tenantSlug: tenants.slug,
      tunnel: tunnels.name,
      startsAt: maintenanceWindows.startsAt,
      endsAt: maintenanceWindows.endsAt,
      reason: maintenanceWindows.reason,
      createdBy: maintenanceWindows.createdBy,
      endedBy: maintenanceWindows.endedBy,
    })
    .from(maintenanceWindows)
    .innerJoin(tenants, eq(tenants.id, maintenanceWindows.tenantId))
    .leftJoin(tunnels, eq(tunnels.id, maintenanceWindows.tunnelId))
    .where(and(tenantId ? eq(maintenanceWindows.tenantId, tenantId) : undefined, gt(maintenanceWindows.endsAt, new Date(now.getTime() - 86_400_000))))
    .orderBy(desc(maintenanceWindows.endsAt));
}

export async function listAllowedHosts(db: Database) {
  return db.select().from(notificationAllowedHosts).orderBy(notificationAllowedHosts.host);
}

export async function listScrapeTokens(db: Database) {
  return db
    .select({
      id: metricsScrapeTokens.id,
      name: metricsScrapeTokens.name,
      createdBy: metricsScrapeTokens.createdBy,
      createdAt: metricsScrapeTokens.createdAt,
      lastUsedAt: metricsScrapeTokens.lastUsedAt,
      revokedAt: metricsScrapeTokens.revokedAt,
    })
    .from(metricsScrapeTokens)
    .orderBy(desc(metricsScrapeTokens.createdAt));
}

/** Tunnels for the silence and maintenance forms, with their tenant; one tenant's or all. */
export async function listTunnelChoices(db: Database, tenantId: string | null) {
  return db
    .select({ id: tunnels.id, name: tunnels.name, tenantSlug: tenants.slug, tenantName: tenants.displayName })
    .from(tunnels)
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(and(tenantId ? eq(tunnels.tenantId, tenantId) : undefined, inArray(tenants.state, ["onboarding", "active"])))
    .orderBy(tenants.displayName, tunnels.ordinal);
}

export async function listDemoInbox(db: Database, limit = 50) {
  return db.select().from(demoInbox).orderBy(desc(demoInbox.id)).limit(limit);
}

/** Why a warning notifies nobody right now, as shown on the warning. */
export type WarningMute = { kind: "silence" | "maintenance" | "inhibited"; until: string | null; reason: string; by: string | null; owner: "operators" | "tenant" };

/**
 * The silences and maintenance windows hiding each of these warnings now, and inhibition by a
 * down tunnel. Operators see every silence; a tenant's people see their own tenant's silences
 * and the maintenance windows, not the operators' silences (their reasons are the operators').
 */
export async function findWarningMutes(
  db: Database,
  rows: readonly (RoutedWarning & { tenantId: string })[],
  options: { includeOperatorSilences: boolean; now: Date },
): Promise<Map<string, WarningMute[]>> {
  const result = new Map<string, WarningMute[]>();
  const active = rows.filter((r) => r.state !== "resolved");
  if (active.length === 0) return result;
  const tenantIds = [...new Set(active.map((r) => r.tenantId))];
  const now = options.now;
  const silences = await db
    .select()
    .from(notificationSilences)
    .where(
      and(
        sql`${notificationSilences.startsAt} <= ${now.toISOString()}::timestamptz and ${notificationSilences.endsAt} > ${now.toISOString()}::timestamptz`,
        or(isNull(notificationSilences.tenantId), inArray(notificationSilences.tenantId, tenantIds)),
        options.includeOperatorSilences ? undefined : inArray(notificationSilences.ownerTenantId, tenantIds),
      ),
    );
  const windows = await db
    .select()
    .from(maintenanceWindows)
    .where(and(inArray(maintenanceWindows.tenantId, tenantIds), sql`${maintenanceWindows.startsAt} <= ${now.toISOString()}::timestamptz and ${maintenanceWindows.endsAt} > ${now.toISOString()}::timestamptz`));
  for (const w of active) {
    const mutes: WarningMute[] = [];
    for (const s of silences) {
      const matches = (s.tenantId === null || s.tenantId === w.tenantId) && (s.tunnelId === null || s.tunnelId === w.tunnelId) && (s.kind === null || s.kind === w.kind);
      if (matches) mutes.push({ kind: "silence", until: s.endsAt.toISOString(), reason: s.reason, by: s.createdBy, owner: s.ownerTenantId ? "tenant" : "operators" });
    }
    for (const m of windows) {
      if (maintenanceCovers(m, w, now)) mutes.push({ kind: "maintenance", until: m.endsAt.toISOString(), reason: m.reason, by: m.createdBy, owner: "operators" });
    }
    if (isInhibited(w, active)) mutes.push({ kind: "inhibited", until: null, reason: "Its tunnel is down; this follows from that.", by: null, owner: "operators" });
    if (mutes.length) result.set(w.id, mutes);
  }
  return result;
}

/** The same rows, each with what hides it from notifications now (empty when nothing does). */
export async function attachMutes<T extends RoutedWarning>(db: Database, rows: T[], options: { includeOperatorSilences: boolean; now: Date }): Promise<(T & { mutes: WarningMute[] })[]> {
  const mutes = await findWarningMutes(db, rows, options);
  return rows.map((row) => ({ ...row, mutes: mutes.get(row.id) ?? [] }));
}
