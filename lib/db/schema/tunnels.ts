/** Tunnels and their two endpoints */
import { sql } from "drizzle-orm";
import { bigint, boolean, check, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { DEFAULT_IPSEC_SUITE } from "@/lib/gateway/ipsec-suites";
import { createdAt } from "./columns";
import { pairEndRole, tunnelEndpointSide, tunnelStatus } from "./enums";
import { MacReport } from "./telemetry";
import { tenants } from "./tenants";

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
    /** The source gateway's platform (SOURCE_PLATFORMS), whose files must render; null: not said, any one will do. */
    sourcePlatform: text("source_platform"),
    /** The IPsec suite both ends use (lib/gateway/ipsec-suites.ts), for an IPsec VPN tenant. */
    ipsecSuite: text("ipsec_suite").notNull().default(DEFAULT_IPSEC_SUITE),
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
