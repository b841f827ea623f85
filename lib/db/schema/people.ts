/** People and screens */
import { sql } from "drizzle-orm";
import { pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { membershipPrincipalKind, membershipRole } from "./enums";
import { tenants } from "./tenants";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The identity provider's stable id: Entra's object id (oid) or the built-in provider's sub. */
    subject: text("subject").notNull(),
    signInName: text("sign_in_name").notNull(),
    displayName: text("display_name").notNull(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_subject_key").on(t.subject)],
);

/** Admin-managed link from a principal (object id or sign-in name) to the one tenant it may see. */
export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    principalKind: membershipPrincipalKind("principal_kind").notNull(),
    /** Stored lower-cased so sign-in names match case-insensitively. */
    principal: text("principal").notNull(),
    role: membershipRole("role").notNull().default("tenant-admin"),
    createdAt: createdAt(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [uniqueIndex("memberships_principal_key").on(t.principalKind, t.principal)],
);

export const nocDisplays = pgTable(
  "noc_displays",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** SHA-256 of the display's current link token; the link is shown once when it is issued. */
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    /** Who issued the current link (null: its creator), and when: whom a screen's operator should ask. */
    linkIssuedBy: text("link_issued_by"),
    linkIssuedAt: timestamp("link_issued_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the current link signed a screen in: a link works once. Defaults to "used" so a row
     * made any other way than by issuing a link (and every link from before links were
     * single-use) cannot be claimed; issuing a link sets it to null.
     */
    linkUsedAt: timestamp("link_used_at", { withTimezone: true }).default(sql`now()`),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("noc_displays_token_key").on(t.tokenHash)],
);
