/** Segments: the tenant's NSX-T workload segment, driven by a resumable provisioning job */
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";
import { privateClouds } from "./clouds";
import { segmentState } from "./enums";
import { tenants } from "./tenants";

export const segments = pgTable(
  "segments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    privateCloudId: uuid("private_cloud_id")
      .notNull()
      .references(() => privateClouds.id, { onDelete: "restrict" }),
    /** ARM resource name, derived from the tenant so a repeated PUT is idempotent. */
    segmentName: text("segment_name").notNull(),
    displayName: text("display_name").notNull(),
    tier1GatewayId: text("tier1_gateway_id"),
    /**
     * The gateway the segment has in Azure, or is being given ("192.168.10.1/24"), on
     * tier1GatewayId; null for a plain L2 segment. The cut-over and rollback change it.
     */
    gatewayAddress: text("gateway_address"),
    /** The VM ports Azure listed on the segment (its portVif) when the job last read it; null before. */
    portVifs: jsonb("port_vifs").$type<string[]>(),
    azureResourceId: text("azure_resource_id"),
    state: segmentState("state").notNull().default("pending"),
    /** What the job is driving toward; offboarding flips it to absent. */
    desired: text("desired").$type<"present" | "absent">().notNull().default("present"),
    lastError: text("last_error"),
    attempts: integer("attempts").notNull().default(0),
    /**
     * The ARM long-running operation in flight, as the SDK poller serialises it (its polling
     * URLs and state), so a restarted job resumes that operation instead of starting another.
     */
    operationState: text("operation_url"),
    /**
     * When the job first asked Azure for this segment, set just before the request and never
     * reset: a segment without it was never sent, so offboarding need not look in Azure.
     */
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** When the job last compared the segment in Azure with what the console expects. */
    checkedAt: timestamp("checked_at", { withTimezone: true }),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("segments_tenant_key").on(t.tenantId),
    uniqueIndex("segments_cloud_name_key").on(t.privateCloudId, t.segmentName),
    index("segments_due_idx").on(t.nextAttemptAt),
  ],
);
