/**
 * What a telemetry agent may send. The same schema validates every request and is published as
 * OpenAPI at /api/v1/openapi.json, so the agents' contract cannot drift from the check.
 */
import { z } from "zod";
import { PAIR_END_ROLES } from "@/lib/domain/status";
import { DF_PROBE_BYTES } from "@/lib/domain/limits";

/** A batch larger than this is refused with 413: an agent that fell behind should send in parts. */
export const MAX_BATCH = 1_000;
/** Samples from further back than the raw retention window are refused: they would be deleted at once. */
export const MAX_SAMPLE_AGE_MS = 7 * 24 * 3600 * 1000;
/** Agents' clocks drift; a sample a little in the future is accepted, a lot is a broken clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const nonNegative = (max: number, unit: string) => z.number().finite().min(0, `Must be 0 or more ${unit}.`).max(max, `At most ${max} ${unit}.`);
const counter = z.number().int("A whole number.").min(0).max(Number.MAX_SAFE_INTEGER);

export const hopSchema = z
  .object({
    ttl: z.number().int().min(1).max(64),
    address: z.union([z.ipv4(), z.ipv6()]).nullable().describe("null when the hop did not answer"),
    rttMs: nonNegative(60_000, "ms").nullable(),
  })
  .strict();

export const pairReportSchema = z
  .object({
    role: z.enum(PAIR_END_ROLES),
    since: z.iso.datetime({ offset: true, message: "Use an ISO 8601 time with a zone, e.g. 2026-11-21T10:00:00Z." }).describe("when this end took its current role"),
    reason: z
      .string()
      .regex(/^[a-z-]{1,32}$/, "A reason word: lower-case letters and hyphens, at most 32.")
      .describe("why this end took its role, e.g. elected, peer-active, tunnel-silent, underlay-down, forced, keepalived-silent"),
  })
  .strict();

/** A unicast MAC address as `bridge fdb` prints it: six lower-case hex pairs joined by colons. */
const macAddress = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, "A MAC address in lower case, e.g. 00:50:56:ab:cd:ef.");

/** The most MACs listed per side of a bridge in one report; past it the list is cut and `truncated` set (learnedMacs still counts them all). */
export const MAX_MACS_LISTED = 1_024;

export const macReportSchema = z
  .object({
    local: z.array(macAddress).max(MAX_MACS_LISTED).describe("MACs the bridge learned on this end's own ports: the workloads on this side"),
    tunnel: z.array(macAddress).max(MAX_MACS_LISTED).describe("MACs the bridge learned through the tunnel: the workloads on the other side, as seen from here"),
    truncated: z.boolean().default(false).describe("true when a side had more than the list holds"),
  })
  .strict();

export const gatewayProbeSchema = z
  .object({
    address: z.ipv4().describe("the gateway address probed (the planned cut-over gateway, or the subnet's first host)"),
    answeredBy: z.array(macAddress).max(16).describe("MACs that answered an ARP probe (RFC 5227, sender 0.0.0.0) for it on this end's own ports"),
  })
  .strict();

export const sampleSchema = z
  .object({
    measuredAt: z.iso.datetime({ offset: true, message: "Use an ISO 8601 time with a zone, e.g. 2026-11-21T10:00:00Z." }),
    rttMs: nonNegative(60_000, "ms").nullable().optional(),
    jitterMs: nonNegative(60_000, "ms").nullable().optional(),
    lossPct: nonNegative(100, "percent").nullable().optional(),
    dfProbe: z.object({ bytes: z.number().int().min(DF_PROBE_BYTES.min).max(DF_PROBE_BYTES.max), ok: z.boolean() }).strict().optional().describe("don't-fragment probe toward the peer's underlay address, sized as a full tunnel packet (the tenant's inner MTU plus encapsulation, i.e. the underlay MTU)"),
    path: z.array(hopSchema).max(64).optional().describe("hop path toward the other end"),
    counters: z.object({ txBytes: counter, rxBytes: counter, txPackets: counter, rxPackets: counter }).strict().optional(),
    bumPps: nonNegative(100_000_000, "packets/s").nullable().optional().describe("broadcast, unknown-unicast and multicast rate"),
    learnedMacs: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .nullable()
      .optional()
      .describe("MAC addresses the bridge learned on this end's own ports (the workloads on this side), not through the tunnel"),
    pair: pairReportSchema.optional().describe("this end's role in the tenant's active/standby pair of tunnels (only for a tenant with two)"),
    macs: macReportSchema.optional().describe("the MAC addresses learned on each side of this end's bridge (where the workloads are, for the cut-over's pre-checks)"),
    gatewayProbe: gatewayProbeSchema.optional().describe("who answers for the subnet's gateway address on this end's own side"),
  })
  .strict();

export const telemetryBatchSchema = z.object({ samples: z.array(sampleSchema).min(1, "Send at least one sample.") }).strict();

export type TelemetrySample = z.infer<typeof sampleSchema>;
