/** Azure side: private clouds and their VLAN pools */
import { sql } from "drizzle-orm";
import { check, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

export const privateClouds = pgTable(
  "private_clouds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The ARM resource id, e.g. /subscriptions/…/resourceGroups/…/providers/Microsoft.AVS/privateClouds/… */
    azureResourceId: text("azure_resource_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    resourceGroup: text("resource_group").notNull(),
    name: text("name").notNull(),
    region: text("region").notNull(),
    /** The /22 management network block the private cloud was deployed with. */
    networkBlock: text("network_block").notNull(),
    extendedNetworkBlocks: text("extended_network_blocks").array().notNull().default(sql`'{}'::text[]`),
    /** Tier-1 gateways and Global Reach connections as last read from Azure. */
    tier1Gateways: jsonb("tier1_gateways").$type<{ id: string; displayName: string }[]>().notNull().default([]),
    globalReachConnections: jsonb("global_reach_connections")
      .$type<{ id: string; name: string; peerCircuitId?: string; status?: string }[]>()
      .notNull()
      .default([]),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("private_clouds_azure_resource_id_key").on(sql`lower(${t.azureResourceId})`)],
);

export const vlanPools = pgTable(
  "vlan_pools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    privateCloudId: uuid("private_cloud_id")
      .notNull()
      .references(() => privateClouds.id, { onDelete: "restrict" }),
    /** Inclusive ranges of VLAN IDs this pool may hand out. */
    ranges: jsonb("ranges").$type<{ from: number; to: number }[]>().notNull().default([{ from: 2, to: 4094 }]),
    /** IDs never handed out: 1 and 1002–1005 by default, plus whatever the operator adds. */
    reservedVlans: integer("reserved_vlans").array().notNull().default(sql`'{1,1002,1003,1004,1005}'::integer[]`),
    quarantineDays: integer("quarantine_days").notNull().default(30),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("vlan_pools_private_cloud_key").on(t.privateCloudId),
    check("vlan_pools_quarantine_days_check", sql`${t.quarantineDays} >= 0`),
  ],
);

/**
 * Address space an admin declares off-limits for tenant subnets (on-premises ranges, VNets, a
 * partner's network), with the reason. The platform's own reservations (NSX-T transit, …) are
 * not rows: they live in lib/domain/reserved-space.ts.
 */
export const reservedPrefixes = pgTable("reserved_prefixes", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** Null: reserved for every private cloud. */
  privateCloudId: uuid("private_cloud_id").references(() => privateClouds.id, { onDelete: "cascade" }),
  /** Canonical network (lib/domain/cidr.ts). */
  cidr: text("cidr").notNull(),
  /** Why: shown on the list and in every refusal it causes. */
  description: text("description").notNull(),
  createdBy: text("created_by"),
  createdAt: createdAt(),
});
