/**
 * The console's own Prometheus metrics (prom-client): counters and histograms this process
 * updates as it works, plus Node's default metrics (event-loop delay, heap, CPU). They live in a
 * process slot because server.ts and Next's bundled routes load this module twice in one process
 * and must count into one registry. The fleet's gauges (tunnels, warnings, queue) are not here:
 * they are read from the database at each scrape (fleet-gauges.ts).
 *
 * Label names are part of the contract (docs/metrics.md) and never carry free text: tenant slugs
 * and tunnel names are validated identifiers; everything else is a fixed vocabulary.
 */
import "server-only";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { processSlot } from "@/lib/server/process-slot";

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    ingestSamples: new Counter({
      name: "bridgehead_ingest_samples_total",
      help: "Telemetry samples received, by result (stored, duplicate).",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    ingestBatches: new Counter({ name: "bridgehead_ingest_batches_total", help: "Telemetry batches stored.", registers: [registry] }),
    ingestRequests: new Counter({
      name: "bridgehead_ingest_requests_total",
      help: "Answers of POST /api/v1/telemetry, by HTTP status code (4xx: refused input or token, 429: rate limited).",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    jobRounds: new Histogram({
      name: "bridgehead_job_round_duration_seconds",
      help: "Duration of background job rounds (job: warnings = warning evaluation, telemetry = roll-ups and retention, provisioning, avs = private-cloud sync, notifications).",
      labelNames: ["job"] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: "bridgehead_job_round_failures_total",
      help: "Background job rounds that failed (the loop logs why and carries on).",
      labelNames: ["job"] as const,
      registers: [registry],
    }),
    rollups: new Histogram({
      name: "bridgehead_rollup_duration_seconds",
      help: "Duration of one roll-up pass over newly arrived samples, by resolution (1m, 1h).",
      labelNames: ["resolution"] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    azureRequests: new Counter({
      name: "bridgehead_azure_requests_total",
      help: "HTTP requests to Azure Resource Manager (or the built-in emulator), by method and status code (error: no answer).",
      labelNames: ["method", "code"] as const,
      registers: [registry],
    }),
    azureDuration: new Histogram({
      name: "bridgehead_azure_request_duration_seconds",
      help: "Duration of HTTP requests to Azure Resource Manager, by method.",
      labelNames: ["method"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "bridgehead_notification_attempts_total",
      help: "Notification delivery attempts, by channel kind and the delivery's state after the attempt (delivered, pending = will retry, failed, expired).",
      labelNames: ["channel_kind", "status"] as const,
      registers: [registry],
    }),
  };
  return m;
}

export type ProcessMetrics = ReturnType<typeof createMetrics>;
const slot = processSlot<ProcessMetrics>("metrics");

export function processMetrics(): ProcessMetrics {
  return slot.getOrCreate(createMetrics);
}

export function countDeliveryOutcome(channelKind: string, status: string): void {
  processMetrics().deliveries.inc({ channel_kind: channelKind, status });
}

export function observeJobRound(job: string, seconds: number, failed: boolean): void {
  const m = processMetrics();
  m.jobRounds.observe({ job }, seconds);
  if (failed) m.jobFailures.inc({ job });
}
