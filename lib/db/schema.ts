/**
 * The whole Bridgehead domain in one drizzle `pg-core` schema. The same migrations serve the
 * embedded PGlite database and a real PostgreSQL server, so nothing here may use an extension
 * or a feature PGlite lacks.
 *
 * The rule that shapes it: one tenant = one VLAN = one NSX-T segment. The database enforces it
 * with unique indexes rather than trusting application code, because several app instances
 * may share one PostgreSQL.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { keysOf } from "@/lib/domain/keys-of";
import { UNDERLAY_MTU } from "@/lib/domain/limits";
import { CHANNEL_KINDS, DELIVERY_EVENTS, DELIVERY_STATUSES, type ChannelKind, type SmtpSecurity } from "@/lib/domain/notifications";
import { PAIR_END_ROLES, SEGMENT_STATES, STRETCH_STAGES, TENANT_STATES, TUNNEL_STATUSES, VLAN_ALLOCATION_STATES, WARNING_SEVERITIES, WARNING_STATES } from "@/lib/domain/status";
import { ENCAPSULATIONS, GATEWAY_LOCATIONS, PRINCIPAL_KINDS, SIDES, SOURCE_ENVIRONMENTS, TENANT_ROLES, TRANSPORTS } from "@/lib/domain/tenant-options";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------------------------
// Enumerations: the stored values, taken from the vocabulary in lib/domain (which carries their
// labels, symbols and colours). A value added there needs a migration here (npm run db:generate).
// ---------------------------------------------------------------------------------------------

export const sourceEnvironment = pgEnum("source_environment", keysOf(SOURCE_ENVIRONMENTS));
export const transportKind = pgEnum("transport_kind", keysOf(TRANSPORTS));
export const encapsulationKind = pgEnum("encapsulation_kind", keysOf(ENCAPSULATIONS));
export const gatewayLocation = pgEnum("gateway_location", keysOf(GATEWAY_LOCATIONS));
export const tenantState = pgEnum("tenant_state", TENANT_STATES);
export const vlanAllocationState = pgEnum("vlan_allocation_state", VLAN_ALLOCATION_STATES);
export const segmentState = pgEnum("segment_state", SEGMENT_STATES);
export const tunnelEndpointSide = pgEnum("tunnel_endpoint_side", SIDES);
export const tunnelStatus = pgEnum("tunnel_status", TUNNEL_STATUSES);
export const warningSeverity = pgEnum("warning_severity", WARNING_SEVERITIES);
export const warningState = pgEnum("warning_state", WARNING_STATES);
export const rollupResolution = pgEnum("rollup_resolution", ["1m", "1h"]);
export const pairEndRole = pgEnum("pair_end_role", PAIR_END_ROLES);
export const stretchStage = pgEnum("stretch_stage", STRETCH_STAGES);
export const membershipPrincipalKind = pgEnum("membership_principal_kind", keysOf(PRINCIPAL_KINDS));
export const membershipRole = pgEnum("membership_role", keysOf(TENANT_ROLES));
export const notificationChannelKind = pgEnum("notification_channel_kind", CHANNEL_KINDS);
export const notificationDeliveryEvent = pgEnum("notification_delivery_event", DELIVERY_EVENTS);
export const notificationDeliveryStatus = pgEnum("notification_delivery_status", DELIVERY_STATUSES);
export const sessionKind = pgEnum("session_kind", ["user", "display"]);

// ---------------------------------------------------------------------------------------------
// Azure side: private clouds and their VLAN pools
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Tenants
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Segments: the tenant's NSX-T workload segment, driven by a resumable provisioning job
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Tunnels and their two endpoints
// ---------------------------------------------------------------------------------------------

export const tunnels = pgTable(
  "tunnels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    /** 1 for the primary tunnel, 2 for the redundant one. */
    ordinal: smallint("ordinal").notNull(),
    name: text("name").notNull(),
    status: tunnelStatus("status").notNull().default("stale"),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    /** IPsec pre-shared key, encrypted at rest (never stored in the clear). */
    pskCiphertext: text("psk_ciphertext"),
    maintenanceUntil: timestamp("maintenance_until", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("tunnels_tenant_ordinal_key").on(t.tenantId, t.ordinal),
    check("tunnels_ordinal_check", sql`${t.ordinal} in (1, 2)`),
  ],
);

export const tunnelEndpoints = pgTable(
  "tunnel_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tunnelId: uuid("tunnel_id")
      .notNull()
      .references(() => tunnels.id, { onDelete: "cascade" }),
    side: tunnelEndpointSide("side").notNull(),
    hostname: text("hostname").notNull(),
    underlayIp: text("underlay_ip").notNull(),
    /** The gateway's NIC toward the underlay (the tunnel's outer packets); null = the target's default. */
    underlayInterface: text("underlay_interface"),
    /** The gateway's NIC toward the tenant's L2 (a trunk, or the segment's vNIC); null = the target's default. */
    lanInterface: text("lan_interface"),
    /** Whether the tenant's VLAN arrives tagged on the LAN NIC (a trunk) or untagged (an access port, an NSX segment vNIC). */
    lanTagged: boolean("lan_tagged").notNull().default(false),
    /** SHA-256 of the telemetry agent's bearer token, for lookup on every request. */
    agentTokenHash: text("agent_token_hash"),
    /** The same token encrypted at rest (lib/secrets.ts), so downloaded agent configs can carry it. */
    agentTokenCiphertext: text("agent_token_ciphertext"),
    agentTokenRotatedAt: timestamp("agent_token_rotated_at", { withTimezone: true }),
    /**
     * The token before the last rotation, still accepted until the grace window closes, so the
     * real agent keeps reporting until someone deploys the new one. Only its hash is kept.
     */
    previousTokenHash: text("previous_token_hash"),
    previousTokenIssuedAt: timestamp("previous_token_issued_at", { withTimezone: true }),
    previousTokenValidUntil: timestamp("previous_token_valid_until", { withTimezone: true }),
    /** The hash of the token the newest stored batch came with: which token the agent runs. */
    lastTokenHash: text("last_token_hash"),
    lastSampleAt: timestamp("last_sample_at", { withTimezone: true }),
    /**
     * In an active/standby pair, this end's role as its newest report said (kept here so the
     * views need not search the samples): the role, since when and why, and when it was measured.
     */
    pairRole: pairEndRole("pair_role"),
    pairSince: timestamp("pair_since", { withTimezone: true }),
    pairReason: text("pair_reason"),
    pairReportedAt: timestamp("pair_reported_at", { withTimezone: true }),
    /**
     * Bumped by every ingest that stored at least one new sample from this end: the warning
     * evaluation compares it with what it last saw to find the tunnels with news (by arrival,
     * so a late backlog counts too), without reading any sample.
     */
    samplesSeq: bigint("samples_seq", { mode: "number" }).notNull().default(0),
    /**
     * The samples_seq of the last ingest that stored a sample measured before the newest already
     * stored (a late one, from an agent's backlog): a reader keeping this end's recent samples
     * in memory must read them again, since new samples are no longer only the newest.
     */
    lateSeq: bigint("late_seq", { mode: "number" }).notNull().default(0),
    /**
     * The MAC addresses this end's bridge learned, on its own ports and through the tunnel, and
     * who answered its probe for the gateway address, as its newest report said: where the
     * workloads are, for the cut-over's pre-checks. Kept here, not per sample: lists are large.
     */
    macReport: jsonb("mac_report").$type<MacReport>(),
    macReportedAt: timestamp("mac_reported_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("tunnel_endpoints_tunnel_side_key").on(t.tunnelId, t.side),
    uniqueIndex("tunnel_endpoints_token_key").on(t.agentTokenHash),
    uniqueIndex("tunnel_endpoints_previous_token_key").on(t.previousTokenHash),
  ],
);

// ---------------------------------------------------------------------------------------------
// Telemetry: raw samples for a short window, roll-ups for long ones
// ---------------------------------------------------------------------------------------------

export type PathHop = { ttl: number; address: string | null; rttMs: number | null };

/** An end's newest report of MACs learned (lib/validation/telemetry.ts) and of its gateway probe. */
export type MacReport = {
  local: string[];
  tunnel: string[];
  truncated: boolean;
  gatewayProbe: { address: string; answeredBy: string[] } | null;
};

export const telemetrySamples = pgTable(
  "telemetry_samples",
  {
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => tunnelEndpoints.id, { onDelete: "cascade" }),
    /** When the agent measured; with endpointId the identity of a sample, so a re-send is a no-op. */
    measuredAt: timestamp("measured_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    rttMs: doublePrecision("rtt_ms"),
    jitterMs: doublePrecision("jitter_ms"),
    lossPct: doublePrecision("loss_pct"),
    dfProbeBytes: integer("df_probe_bytes"),
    dfProbeOk: boolean("df_probe_ok"),
    path: jsonb("path").$type<PathHop[]>(),
    txBytes: bigint("tx_bytes", { mode: "number" }),
    rxBytes: bigint("rx_bytes", { mode: "number" }),
    txPackets: bigint("tx_packets", { mode: "number" }),
    rxPackets: bigint("rx_packets", { mode: "number" }),
    bumPps: doublePrecision("bum_pps"),
    learnedMacs: integer("learned_macs"),
    /** This end's role in the tenant's active/standby pair, since when and why (null outside a pair). */
    pairRole: pairEndRole("pair_role"),
    pairSince: timestamp("pair_since", { withTimezone: true }),
    pairReason: text("pair_reason"),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.measuredAt] }),
    index("telemetry_samples_measured_idx").on(t.measuredAt),
    // The roll-up job finds what arrived since its last run by arrival, not measurement: an
    // agent may deliver a backlog days late (lib/telemetry/rollup.ts).
    index("telemetry_samples_received_idx").on(t.receivedAt),
  ],
);

export const telemetryRollups = pgTable(
  "telemetry_rollups",
  {
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => tunnelEndpoints.id, { onDelete: "cascade" }),
    resolution: rollupResolution("resolution").notNull(),
    bucketStart: timestamp("bucket_start", { withTimezone: true }).notNull(),
    samples: integer("samples").notNull(),
    rttAvgMs: doublePrecision("rtt_avg_ms"),
    rttMinMs: doublePrecision("rtt_min_ms"),
    rttMaxMs: doublePrecision("rtt_max_ms"),
    /**
     * How many samples carried each measurement (a sample may lack any of them): the weights
     * that let coarser buckets average finer ones exactly.
     */
    rttSamples: integer("rtt_samples").notNull().default(0),
    jitterAvgMs: doublePrecision("jitter_avg_ms"),
    jitterSamples: integer("jitter_samples").notNull().default(0),
    lossAvgPct: doublePrecision("loss_avg_pct"),
    lossSamples: integer("loss_samples").notNull().default(0),
    dfProbeFailures: integer("df_probe_failures").notNull().default(0),
    bumPpsMax: doublePrecision("bum_pps_max"),
    learnedMacsMax: integer("learned_macs_max"),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.resolution, t.bucketStart] }),
    // Retention deletes by age across every endpoint; the primary key leads with the endpoint.
    index("telemetry_rollups_bucket_idx").on(t.resolution, t.bucketStart),
  ],
);

/**
 * How far the roll-up job has read the raw samples, by arrival time: one row per roll-up
 * ("rollup-1m", "rollup-1h"). Samples received after it may still change their buckets.
 */
export const telemetryWatermarks = pgTable("telemetry_watermarks", {
  name: text("name").primaryKey(),
  receivedThrough: timestamp("received_through", { withTimezone: true }).notNull(),
  updatedAt: updatedAt(),
});

/**
 * What the warning evaluation last saw of each tenant (lib/telemetry/evaluate-job.ts): a tenant
 * is evaluated again only when its endpoints stored new samples (the sum of their `samples_seq`
 * moved), its configuration changed (`config_hash`, a digest of every column the rules read), or
 * `due_at` passed: the first moment time alone can change its result (a side falling silent, a
 * warning's clear period ending, maintenance ending, a new day past the cut-over date).
 */
export const tenantEvaluations = pgTable(
  "tenant_evaluations",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    samplesSeq: bigint("samples_seq", { mode: "number" }).notNull(),
    configHash: text("config_hash").notNull(),
    /** Null: nothing will change with time alone. */
    dueAt: timestamp("due_at", { withTimezone: true }),
    evaluatedAt: timestamp("evaluated_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("tenant_evaluations_due_idx").on(t.dueAt)],
);

// ---------------------------------------------------------------------------------------------
// Warnings and the audit trail
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// People and screens
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Notifications: channels, routing rules, silences, maintenance windows, and the two outboxes
// (warning changes → groups → deliveries). lib/notifications/ explains the flow.
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Automation: API tokens and idempotent requests
// ---------------------------------------------------------------------------------------------

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
