/** Tenants */
import { sql } from "drizzle-orm";
import { check, date, doublePrecision, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { UNDERLAY_MTU } from "@/lib/domain/limits";
import { createdAt, updatedAt } from "./columns";
import { privateClouds, vlanPools } from "./clouds";
import { encapsulationKind, gatewayLocation, sourceEnvironment, stretchStage, tenantState, transportKind, vlanAllocationState } from "./enums";

export type TenantContact = { name: string; email: string; phone?: string; role?: string };

export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    displayName: text("display_name").notNull(),
    privateCloudId: uuid("private_cloud_id")
      .notNull()
      .references(() => privateClouds.id, { onDelete: "restrict" }),
    contacts: jsonb("contacts").$type<TenantContact[]>().notNull().default([]),
    sourceEnvironment: sourceEnvironment("source_environment").notNull(),
    transport: transportKind("transport").notNull(),
    encapsulation: encapsulationKind("encapsulation").notNull().default("vxlan"),
    /** The subnet stretched across the tunnel, in CIDR notation. */
    subnet: text("subnet").notNull(),
    gatewayLocation: gatewayLocation("gateway_location").notNull(),
    underlayMtu: integer("underlay_mtu").notNull().default(1500),
    sourceGatewayUnderlayIp: text("source_gateway_underlay_ip").notNull(),
    latencyObjectiveMs: doublePrecision("latency_objective_ms").notNull().default(20),
    /** Overrides of the warning rules' default thresholds (lib/telemetry/thresholds.ts); {} = defaults. */
    warningThresholds: jsonb("warning_thresholds").$type<Record<string, number>>().notNull().default({}),
    stretchStartedOn: date("stretch_started_on"),
    plannedCutoverOn: date("planned_cutover_on"),
    /**
     * Where the stretch stands (lib/domain/stretch.ts). The default gateway follows it:
     * `gatewayLocation` is "avs" from the cut-over on, and moves only with the stage.
     */
    stretchStage: stretchStage("stretch_stage").notNull().default("extending"),
    stretchStageChangedAt: timestamp("stretch_stage_changed_at", { withTimezone: true }).notNull().defaultNow(),
    /** The planned gateway the Tier-1 takes at cut-over, as NSX-T writes it ("192.168.10.1/24"); null before a plan. */
    cutoverGatewayAddress: text("cutover_gateway_address"),
    /** The Tier-1 (its id in the private cloud) the segment is connected to at cut-over. */
    cutoverTier1Id: text("cutover_tier1_id"),
    /** The source router's interface that holds the gateway address today, for the generated cut-over files; null = found by address. */
    sourceGatewayInterface: text("source_gateway_interface"),
    state: tenantState("state").notNull().default("onboarding"),
    offboardedAt: timestamp("offboarded_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    index("tenants_private_cloud_idx").on(t.privateCloudId),
    // The search box finds the tenant whose subnet holds an address with `subnet::cidr >>= addr`;
    // a GiST index over that expression answers it without reading every tenant.
    index("tenants_subnet_cidr_idx").using("gist", sql`(${t.subnet}::cidr) inet_ops`),
    check("tenants_underlay_mtu_check", sql`${t.underlayMtu} between ${sql.raw(String(UNDERLAY_MTU.min))} and ${sql.raw(String(UNDERLAY_MTU.max))}`),
  ],
);

/**
 * Who holds which VLAN. A row moves allocated → quarantined → released and is kept as history.
 * The partial unique indexes are the final word on allocation: two operators (or two app
 * instances) racing for the same VLAN or VNI cannot both commit.
 */
export const vlanAllocations = pgTable(
  "vlan_allocations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    poolId: uuid("pool_id")
      .notNull()
      .references(() => vlanPools.id, { onDelete: "restrict" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    vlanId: smallint("vlan_id").notNull(),
    vni: integer("vni").notNull(),
    state: vlanAllocationState("state").notNull().default("allocated"),
    allocatedAt: timestamp("allocated_at", { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp("released_at", { withTimezone: true }),
    quarantinedUntil: timestamp("quarantined_until", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("vlan_allocations_pool_vlan_key").on(t.poolId, t.vlanId).where(sql`${t.state} <> 'released'`),
    uniqueIndex("vlan_allocations_pool_vni_key").on(t.poolId, t.vni).where(sql`${t.state} <> 'released'`),
    uniqueIndex("vlan_allocations_tenant_key").on(t.tenantId).where(sql`${t.state} = 'allocated'`),
    check("vlan_allocations_vlan_range_check", sql`${t.vlanId} between 1 and 4094`),
    check("vlan_allocations_vni_range_check", sql`${t.vni} between 1 and 16777215`),
  ],
);
