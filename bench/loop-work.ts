/**
 * The JavaScript the console runs on its one thread for two jobs the CPU profile of the scale
 * benchmark found at the top (issue 16, docs/benchmarks.md "Fleet scale"): judging a batch of 50
 * tenants' tunnels through the warning rules (`evaluateOne`, the pure part of an evaluation batch)
 * and weighing an agent's batch for the ingest queue (`batchWeight`).
 *
 *   npx tsx --require ./scripts/server-only.cjs bench/loop-work.ts
 *
 * It runs against whatever tree it sits in, so a before/after is the same file run in a copy of
 * the old commit and in this one, alternately (the figures are medians of many slices; the
 * machine's load moves both alike only when they alternate).
 */
import { PerformanceObserver } from "node:perf_hooks";
import { sampleFor, type Scenario } from "@/lib/fleet/scenarios";
import { evaluateOne } from "@/lib/telemetry/evaluate-job";
import type { TenantRows } from "@/lib/telemetry/evaluation/inputs";
import { batchWeight } from "@/lib/telemetry/ingest";
import type { RuleSample } from "@/lib/telemetry/rules/types";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { microsPerCall } from "./timing";

const TENANTS = 50;
const SAMPLE_EVERY_MS = 10_000;
const WINDOW_SAMPLES = 90;
const FACTS = { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.120.8.10" };
const SCENARIOS: Scenario[] = ["healthy", "healthy", "healthy", "latency-creep", "asymmetric-path", "broadcast-storm", "flapping", "healthy"];

const now = new Date(Date.UTC(2026, 11, 5, 4, 0, 5));

function toRuleSample(s: TelemetrySample, role: "active" | "standby"): RuleSample {
  return {
    measuredAt: new Date(s.measuredAt),
    rttMs: s.rttMs ?? null,
    jitterMs: s.jitterMs ?? null,
    lossPct: s.lossPct ?? null,
    dfProbeBytes: s.dfProbe?.bytes ?? null,
    dfProbeOk: s.dfProbe?.ok ?? null,
    path: s.path ?? null,
    bumPps: s.bumPps ?? null,
    learnedMacs: s.learnedMacs ?? null,
    pairRole: role,
    pairSince: new Date(now.getTime() - 3_600_000),
    pairReason: "elected",
  };
}

/** A tenant with an active/standby pair of tunnels, 15 minutes of 10-second samples from each of its four ends. */
function tenantRows(index: number): TenantRows {
  const id = (kind: number, n: number) => `00000000-0000-4000-8000-${String(kind).padStart(4, "0")}${String(index * 10 + n).padStart(8, "0")}`;
  const tunnels = [1, 2].map((ordinal) => ({ id: id(1, ordinal), tenantId: id(0, 0), ordinal, name: ordinal === 1 ? "primary" : "secondary", status: "operational", maintenanceUntil: null }));
  const endpoints = tunnels.flatMap((t) => (["source", "avs"] as const).map((side) => ({ id: `${t.id.slice(0, -1)}${side === "source" ? 5 : 6}`, tunnelId: t.id, side, hostname: `gw-${side}-${t.ordinal}`, lastSampleAt: new Date(now.getTime() - 5_000) })));
  const samples = new Map<string, RuleSample[]>();
  for (const e of endpoints) {
    const tunnel = tunnels.find((t) => t.id === e.tunnelId)!;
    const scenario = SCENARIOS[index % SCENARIOS.length]!;
    const list: RuleSample[] = [];
    for (let k = WINDOW_SAMPLES; k >= 1; k--) {
      const at = new Date(now.getTime() - 5_000 - (k - 1) * SAMPLE_EVERY_MS);
      list.push(toRuleSample(sampleFor(scenario, { side: e.side, tick: Math.floor(at.getTime() / SAMPLE_EVERY_MS), at, seed: index * 7 + tunnel.ordinal, tunnel: FACTS }), tunnel.ordinal === 1 ? "active" : "standby"));
    }
    // As the evaluation keeps them: only the newest traces carry their path (sample-windows.ts).
    let paths = 0;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.path && ++paths > 3) list[i]!.path = null;
    samples.set(e.id, list);
  }
  return {
    tenant: {
      id: id(0, 0),
      slug: `bench-${index}`,
      latencyObjectiveMs: 40,
      warningThresholds: {},
      gatewayLocation: "source",
      transport: "ipsec-vpn",
      subnet: "10.10.0.0/24",
      plannedCutoverOn: null,
      stretchStartedOn: "2026-11-01",
    },
    tunnels,
    endpoints,
    samples,
    baselines: new Map(endpoints.filter((e) => e.side === "source").map((e) => [e.id, 12])),
    active: [],
  };
}

async function main() {
  const batch = Array.from({ length: TENANTS }, (_, i) => tenantRows(i));
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ["gc"] });

  // The evaluation: one batch's tenants through the rules, as one task (before slicing).
  let batches = 0;
  const evaluateBatch = () => {
    batches += 1;
    for (const tenant of batch) {
      const result = evaluateOne(tenant, now);
      if ("skipped" in result) throw new Error(result.skipped);
    }
  };
  gcMs = 0;
  const batchUs = await microsPerCall(evaluateBatch);
  // GC entries reach the observer asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const gcPerBatchMs = gcMs / batches;

  // Ingest: weighing a backlog batch of 200 samples (as agents post after an outage) and a batch of one.
  const backlog = Array.from({ length: 200 }, (_, k) => sampleFor("healthy", { side: "source", tick: k, at: new Date(now.getTime() - (200 - k) * 1_000), seed: 3, tunnel: FACTS }));
  const backlogLength = JSON.stringify({ samples: backlog }).length;
  const one = backlog.slice(-1);
  const oneLength = JSON.stringify({ samples: one }).length;
  const weigh200Us = await microsPerCall(() => batchWeight(backlog, backlogLength));
  const weigh1Us = await microsPerCall(() => batchWeight(one, oneLength));
  observer.disconnect();

  console.log(
    JSON.stringify({
      evaluateBatchMs: +(batchUs / 1000).toFixed(2),
      evaluatePerTenantUs: Math.round(batchUs / TENANTS),
      gcPerBatchMs: +gcPerBatchMs.toFixed(2),
      weigh200Us: +weigh200Us.toFixed(1),
      weigh1Us: +weigh1Us.toFixed(2),
      backlogBytes: backlogLength,
    }),
  );
}

void main();
