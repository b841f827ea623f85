/**
 * Notifications: channels, routing rules, silences, maintenance windows, and the two outboxes
 * (warning changes → groups → deliveries). lib/notifications/ explains the flow.
 */
import { sql } from "drizzle-orm";
import { bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ChannelKind, SmtpSecurity } from "@/lib/domain/notifications";
import { createdAt, updatedAt } from "./columns";
import { notificationChannelKind, notificationDeliveryEvent, notificationDeliveryStatus, sessionKind, warningSeverity } from "./enums";
import { nocDisplays, users } from "./people";
import { tenants } from "./tenants";
import { tunnels } from "./tunnels";

/** A channel's settings that are not secret; the secret part is `secretCiphertext`. */
export type ChannelSettings =
  | { kind: "webhook"; url: string }
  /** The Workflows URL carries its own signature (`sig=`): it is the secret, and only its host is kept in the clear. */
  | { kind: "teams"; host: string }
  | { kind: "email"; host: string; port: number; security: SmtpSecurity; username: string | null; from: string; to: string[] };

export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null: an operators' channel (Settings → Notifications). Set: that tenant's own. */
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    kind: notificationChannelKind("kind").$type<ChannelKind>().notNull(),
    name: text("name").notNull(),
    settings: jsonb("settings").$type<ChannelSettings>().notNull(),
    /** Encrypted (lib/secrets.ts): the webhook's signing secret, the Teams URL, or the SMTP password. */
    secretCiphertext: text("secret_ciphertext"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("notification_channels_tenant_idx").on(t.tenantId)],
);

/** Which warnings go to which channel, and how they are grouped and repeated (Alertmanager's route). */
export const notificationRoutes = pgTable(
  "notification_routes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The owner, as for channels: null for an operators' rule, else the tenant whose rule it is. */
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    /** Operators' rules only: one tenant's warnings, or (null) every tenant's. A tenant's rule matches its own tenant. */
    matchTenantId: uuid("match_tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    minSeverity: warningSeverity("min_severity").notNull().default("warning"),
    /** Warning kinds this rule takes; empty takes every kind. */
    kinds: text("kinds").array().notNull().default(sql`'{}'::text[]`),
    groupWaitSeconds: integer("group_wait_seconds").notNull(),
    repeatIntervalMinutes: integer("repeat_interval_minutes").notNull(),
    sendResolved: boolean("send_resolved").notNull().default(true),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("notification_routes_tenant_idx").on(t.tenantId),
    check("notification_routes_timing_check", sql`${t.groupWaitSeconds} >= 0 and ${t.repeatIntervalMinutes} >= 1`),
  ],
);

/**
 * "Quiet, we are working on it": warnings matching every matcher that is set stay out of
 * notifications between start and end. An operators' silence (ownerTenantId null) quiets the
 * operators' rules; a tenant's own silence quiets that tenant's rules only.
 */
export const notificationSilences = pgTable(
  "notification_silences",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerTenantId: uuid("owner_tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    tunnelId: uuid("tunnel_id").references(() => tunnels.id, { onDelete: "cascade" }),
    kind: text("kind"),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    reason: text("reason").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    /** Set when someone ended it early (endsAt then moved to that moment). */
    endedBy: text("ended_by"),
  },
  (t) => [check("notification_silences_window_check", sql`${t.endsAt} > ${t.startsAt}`), index("notification_silences_ends_idx").on(t.endsAt)],
);

/**
 * Planned work on a tenant (every tunnel) or one tunnel: its tiles show Maintenance (the job
 * keeps `tunnels.maintenance_until` in step) and its warnings notify nobody.
 */
export const maintenanceWindows = pgTable(
  "maintenance_windows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    tunnelId: uuid("tunnel_id").references(() => tunnels.id, { onDelete: "cascade" }),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    reason: text("reason").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    endedBy: text("ended_by"),
  },
  (t) => [check("maintenance_windows_window_check", sql`${t.endsAt} > ${t.startsAt}`), index("maintenance_windows_tenant_idx").on(t.tenantId, t.endsAt)],
);

/**
 * The first outbox: one row per warning change worth telling (opened, escalated, acknowledged,
 * resolved), written in the same transaction as the change. The dispatcher folds them into
 * groups and marks them processed in one transaction of its own.
 */
export const notificationEvents = pgTable(
  "notification_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id").notNull(),
    /** Null for a warning opened in the same transaction (its row id is not known yet); dedupeKey names it. */
    warningId: uuid("warning_id"),
    dedupeKey: text("dedupe_key").notNull(),
    change: text("change").$type<"opened" | "escalated" | "acknowledged" | "resolved">().notNull(),
    kind: text("kind").notNull(),
    severity: warningSeverity("severity").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [index("notification_events_pending_idx").on(t.id).where(sql`${t.processedAt} is null`)],
);

/** One Alertmanager aggregation group: a rule and a tenant, with what it has announced so far. */
export const notificationGroups = pgTable(
  "notification_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    routeId: uuid("route_id")
      .notNull()
      .references(() => notificationRoutes.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** When the dispatcher looks at this group next (group wait, repeat, a silence ending); null: idle. */
    flushAt: timestamp("flush_at", { withTimezone: true }),
    /** Warnings announced as firing and not yet as resolved, with the severity announced. */
    announced: jsonb("announced").$type<Record<string, WarningSeverityValue>>().notNull().default({}),
    lastFiringAt: timestamp("last_firing_at", { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("notification_groups_route_tenant_key").on(t.routeId, t.tenantId), index("notification_groups_flush_idx").on(t.flushAt)],
);
type WarningSeverityValue = (typeof warningSeverity.enumValues)[number];

/** The second outbox: one message for one channel, sent with retries by whichever instance claims it. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
    groupId: uuid("group_id").references(() => notificationGroups.id, { onDelete: "set null" }),
    event: notificationDeliveryEvent("event").notNull(),
    /** The channel-neutral notification (lib/notifications/payload.ts), rendered per channel when sent. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: notificationDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    /** The receiver's last answer ("202 Accepted: …", "250 2.0.0 queued", "connect ECONNREFUSED"). */
    lastAnswer: text("last_answer"),
    /** Why it failed or expired, in words. */
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("notification_deliveries_channel_idx").on(t.channelId, t.createdAt),
    index("notification_deliveries_pending_idx").on(t.channelId, t.createdAt).where(sql`${t.status} = 'pending'`),
  ],
);

export const notificationAttempts = pgTable(
  "notification_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** HTTP status or SMTP reply code; null when nothing answered. */
    code: integer("code"),
    answer: text("answer").notNull(),
    outcome: text("outcome").$type<"delivered" | "retry" | "failed">().notNull(),
  },
  (t) => [index("notification_attempts_delivery_idx").on(t.deliveryId, t.at)],
);

/**
 * Hosts an admin lets operators' channels reach although they resolve to a private or link-local
 * address (an internal relay, an on-premises mail server). Tenants' channels never may.
 */
export const notificationAllowedHosts = pgTable(
  "notification_allowed_hosts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Lower-case host name or IP address, exactly as a channel's URL or SMTP host names it. */
    host: text("host").notNull(),
    reason: text("reason").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("notification_allowed_hosts_host_key").on(t.host)],
);

/** What the embedded defaults' built-in receivers took in (lib/notifications/demo-receivers.ts); the newest few hundred. */
export const demoInbox = pgTable(
  "demo_inbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    kind: notificationChannelKind("kind").$type<ChannelKind>().notNull(),
    /** The delivery id the sender stamped on it, when it carried one. */
    deliveryId: uuid("delivery_id"),
    subject: text("subject").notNull(),
    /** What the receiver checked: "signature verified", "card parsed", or what was wrong. */
    verdict: text("verdict").notNull(),
    verified: boolean("verified").notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("demo_inbox_received_idx").on(t.receivedAt)],
);

/** Prometheus scrape tokens for GET /metrics: 256-bit bearer secrets, stored as SHA-256 and shown once. */
export const metricsScrapeTokens = pgTable(
  "metrics_scrape_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("metrics_scrape_tokens_hash_key").on(t.tokenHash)],
);
export type SessionEndReason = "sign-out" | "ended-by-admin" | "membership-removed" | "idle" | "display-revoked";

/**
 * A signed-in browser: a person's (8 hours) or a wall display's (400 days). The encrypted cookie
 * carries its id; this row is the authority on whether it is still alive, so sign-out, an
 * admin's "end sessions", a removed membership or a revoked display end it everywhere at once,
 * on every instance sharing the database.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: sessionKind("kind").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    displayId: uuid("display_id").references(() => nocDisplays.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    /** Moved forward at most once a minute (lib/auth/session-store.ts), not on every request. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endedReason: text("ended_reason").$type<SessionEndReason>(),
    /** A sign-in name, or "system" for an idle timeout. */
    endedBy: text("ended_by"),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId, t.lastSeenAt),
    index("sessions_display_idx").on(t.displayId, t.lastSeenAt),
    check(
      "sessions_owner_check",
      sql`(${t.kind} = 'user' and ${t.userId} is not null and ${t.displayId} is null) or (${t.kind} = 'display' and ${t.displayId} is not null and ${t.userId} is null)`,
    ),
  ],
);

/**
 * The unextend's teardown files, rendered from the tunnels just before they were retired (the
 * bundle they came from is gone with them), so they stay downloadable afterwards. No secrets:
 * teardown files carry none (a test checks).
 */
export const stretchFiles = pgTable(
  "stretch_files",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    contents: text("contents").notNull(),
    mode: integer("mode").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.path] })],
);
