/** Automation: API tokens and idempotent requests */
import { integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { tenants } from "./tenants";

export const apiTokenScope = pgEnum("api_token_scope", ["read", "write"]);

/**
 * A named bearer token for scripts and pipelines. Only the SHA-256 of the secret is kept; the
 * secret is shown once. A token with a tenant reaches that tenant's data only.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    scope: apiTokenScope("scope").notNull(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Written at most once a minute, like a session's last seen. */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
  },
  (t) => [uniqueIndex("api_tokens_token_key").on(t.tokenHash), uniqueIndex("api_tokens_name_key").on(t.name)],
);

/**
 * The first answer to a POST sent with an Idempotency-Key, kept for a day, so a retried request
 * gets the same answer instead of doing the work twice. The key is per caller; the request's
 * hash catches a key reused for a different body.
 */
export const idempotentRequests = pgTable(
  "idempotent_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caller: text("caller").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** null while the first request is still running. */
    status: integer("status"),
    body: jsonb("body"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("idempotent_requests_caller_key").on(t.caller, t.key)],
);
