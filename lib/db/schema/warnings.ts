/** Warnings and the audit trail */
import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { warningSeverity, warningState } from "./enums";
import { tenants } from "./tenants";
import { tunnels } from "./tunnels";

export const warnings = pgTable(
  "warnings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    tunnelId: uuid("tunnel_id").references(() => tunnels.id, { onDelete: "set null" }),
    kind: text("kind").notNull(),
    severity: warningSeverity("severity").notNull(),
    state: warningState("state").notNull().default("open"),
    /** Same condition, same key: a warning that is still open is updated, not opened twice. */
    dedupeKey: text("dedupe_key").notNull(),
    message: text("message").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
    /** When the condition was last seen clear; the warning resolves once it stays clear long enough (damping). */
    clearSince: timestamp("clear_since", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("warnings_active_dedupe_key").on(t.dedupeKey).where(sql`${t.state} <> 'resolved'`),
    index("warnings_tenant_idx").on(t.tenantId, t.state),
  ],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** Who: a user's sign-in name, a NOC display, or "system" for background jobs. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    before: jsonb("before"),
    after: jsonb("after"),
  },
  (t) => [index("audit_events_tenant_idx").on(t.tenantId, t.at), index("audit_events_at_idx").on(t.at)],
);
