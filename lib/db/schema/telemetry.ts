/** Telemetry: raw samples for a short window, roll-ups for long ones */
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { updatedAt } from "./columns";
import { pairEndRole, rollupResolution } from "./enums";
import { tenants } from "./tenants";
import { tunnelEndpoints } from "./tunnels";

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
  /**
   * What the roll-up saw of the samples received in (updated_at − overlap, received_through], as
   * "count:hash-sum": the next run re-reads that overlap only when it no longer matches, i.e.
   * when a sample committed late (lib/telemetry/rollup.ts). Null: re-read it.
   */
  overlapDigest: text("overlap_digest"),
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
