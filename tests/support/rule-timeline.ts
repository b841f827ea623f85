/**
 * Realistic telemetry for the rule tests: a seeded generator of 30-second samples (a healthy
 * tunnel at 12 ms ± noise unless told otherwise), the input a job would build from them, and a
 * timeline driver that evaluates a tenant every 30 s and applies the lifecycle's changes to an
 * in-memory warnings table, as the database layer would.
 */
import type { PairEndRole, TunnelStatus } from "@/lib/domain/status";
import type { Side } from "@/lib/domain/tenant-options";
import { tunnelHealth } from "@/lib/telemetry/health";
import { reconcileWarnings, type ActiveWarning, type WarningChange } from "@/lib/telemetry/lifecycle";
import { resolveThresholds, type ThresholdOverrides, type Thresholds } from "@/lib/telemetry/thresholds";
import { evaluateTenant } from "@/lib/telemetry/rules/evaluate";
import type { Condition, PathHop, RuleInput, RuleSample } from "@/lib/telemetry/rules/types";

export const T0 = new Date("2026-03-10T09:00:00Z");
export const INTERVAL_S = 30;
export const TENANT_ID = "7d1f3c7e-0000-4000-8000-000000000001";
export const TUNNEL_ID = "7d1f3c7e-0000-4000-8000-0000000000a1";

/** mulberry32: small, fast and seeded, so a "noisy" series is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value uniformly within base ± spread, never below zero. */
export function around(rand: () => number, base: number, spread: number): number {
  return Math.max(0, base + (rand() * 2 - 1) * spread);
}

/** Forward path (source → AVS): ISP edge, transit, Azure edge, then the AVS edge bridge. */
export const FORWARD_PATH: PathHop[] = [
  { ttl: 1, address: "192.0.2.1", rttMs: 0.6 },
  { ttl: 2, address: "198.51.100.1", rttMs: 4.1 },
  { ttl: 3, address: "203.0.113.1", rttMs: 9.8 },
  { ttl: 4, address: "10.100.0.4", rttMs: 12.1 },
];
/**
 * The same route traced from AVS: each router answers from its other interface, so the
 * addresses differ while the networks match; the last hop is the source gateway.
 */
export const SYMMETRIC_REVERSE_PATH: PathHop[] = [
  { ttl: 1, address: "203.0.113.2", rttMs: 2.2 },
  { ttl: 2, address: "198.51.100.2", rttMs: 7.9 },
  { ttl: 3, address: "192.0.2.2", rttMs: 11.4 },
  { ttl: 4, address: "192.0.2.10", rttMs: 12.0 },
];
/** The reverse direction coming back over ExpressRoute instead: different networks entirely. */
export const ASYMMETRIC_REVERSE_PATH: PathHop[] = [
  { ttl: 1, address: "10.200.0.1", rttMs: 1.1 },
  { ttl: 2, address: "172.16.5.1", rttMs: 3.0 },
  { ttl: 3, address: "192.0.2.2", rttMs: 6.4 },
  { ttl: 4, address: "192.0.2.10", rttMs: 6.9 },
];

type Metric<T> = (i: number, rand: () => number) => T;

export type SeriesSpec = {
  count: number;
  start?: Date;
  intervalS?: number;
  seed?: number;
  rtt?: Metric<number | null>;
  jitter?: Metric<number | null>;
  loss?: Metric<number | null>;
  dfOk?: Metric<boolean | null>;
  dfBytes?: number;
  path?: Metric<PathHop[] | null>;
  bum?: Metric<number | null>;
  macs?: Metric<number | null>;
};

/**
 * `count` samples, one every `intervalS` seconds from `start`, healthy unless a metric says
 * otherwise: RTT 12 ms ± 1.5, jitter 1 ± 0.6 ms, no loss, DF probes pass, a stable path,
 * BUM 40 ± 25 pps, about 120 learned MACs.
 */
export function series(spec: SeriesSpec): RuleSample[] {
  const rand = rng(spec.seed ?? 1);
  const start = (spec.start ?? T0).getTime();
  const step = (spec.intervalS ?? INTERVAL_S) * 1000;
  const out: RuleSample[] = [];
  for (let i = 0; i < spec.count; i++) {
    const loss = spec.loss ? spec.loss(i, rand) : 0;
    const down = loss !== null && loss >= 100;
    out.push({
      measuredAt: new Date(start + i * step),
      rttMs: down ? null : spec.rtt ? spec.rtt(i, rand) : around(rand, 12, 1.5),
      jitterMs: down ? null : spec.jitter ? spec.jitter(i, rand) : around(rand, 1, 0.6),
      lossPct: loss,
      dfProbeBytes: spec.dfBytes ?? 1427,
      dfProbeOk: down ? false : spec.dfOk ? spec.dfOk(i, rand) : true,
      path: spec.path ? spec.path(i, rand) : null,
      bumPps: spec.bum ? spec.bum(i, rand) : around(rand, 40, 25),
      learnedMacs: spec.macs ? spec.macs(i, rand) : 118 + Math.floor(rand() * 6),
    });
  }
  return out;
}

/** Healthy samples from both ends, each with its own noise. */
export function healthyBoth(count: number, spec: Omit<SeriesSpec, "count" | "seed"> = {}): Record<Side, RuleSample[]> {
  return { source: series({ ...spec, count, seed: 11 }), avs: series({ ...spec, count, seed: 29 }) };
}

export type InputOptions = {
  source?: RuleSample[];
  avs?: RuleSample[];
  /** Defaults to 5 s after the newest sample. */
  now?: Date;
  lastSampleAt?: Partial<Record<Side, Date | null>>;
  overrides?: ThresholdOverrides;
  latencyObjectiveMs?: number;
  thresholds?: Thresholds;
  baselineRttMs?: number | null;
  tenant?: Partial<RuleInput["tenant"]>;
  tunnel?: Partial<RuleInput["tunnel"]>;
  redundancy?: Partial<RuleInput["redundancy"]>;
  workloadsMostlyIn?: RuleInput["workloadsMostlyIn"];
  pair?: RuleInput["pair"];
};

function newest(samples: readonly RuleSample[]): Date | null {
  return samples.length === 0 ? null : new Date(Math.max(...samples.map((s) => s.measuredAt.getTime())));
}

/** The input the evaluation job would build for one tunnel of a two-tunnel, well-placed tenant. */
export function makeInput(options: InputOptions = {}): RuleInput {
  const source = options.source ?? [];
  const avs = options.avs ?? [];
  const latest = [newest(source), newest(avs)].filter((d): d is Date => d !== null);
  const now = options.now ?? new Date((latest.length ? Math.max(...latest.map((d) => d.getTime())) : T0.getTime()) + 5000);
  const objective = options.latencyObjectiveMs ?? options.tenant?.latencyObjectiveMs ?? 20;
  return {
    now,
    tenant: {
      id: TENANT_ID,
      slug: "contoso-prod",
      latencyObjectiveMs: objective,
      gatewayLocation: "source",
      transport: "ipsec-vpn",
      subnet: "10.20.0.0/24",
      plannedCutoverOn: null,
      stretchStartedOn: "2026-01-05",
      ...options.tenant,
    },
    tunnel: { id: TUNNEL_ID, ordinal: 1, name: "contoso-prod-1", maintenanceUntil: null, ...options.tunnel },
    redundancy: { tunnelCount: 2, sharedGatewayHost: null, sharedUnderlayFirstHop: null, ...options.redundancy },
    workloadsMostlyIn: options.workloadsMostlyIn ?? "source",
    sides: {
      source: { samples: source, lastSampleAt: options.lastSampleAt?.source !== undefined ? options.lastSampleAt.source : newest(source) },
      avs: { samples: avs, lastSampleAt: options.lastSampleAt?.avs !== undefined ? options.lastSampleAt.avs : newest(avs) },
    },
    baselineRttMs: options.baselineRttMs === undefined ? 12 : options.baselineRttMs,
    thresholds: options.thresholds ?? resolveThresholds(objective, options.overrides ?? {}),
    pair: options.pair ?? null,
  };
}

/** The input as the job would see it at `now`: only samples measured by then, the last 15 minutes of them. */
export function inputAt(now: Date, all: Record<Side, RuleSample[]>, options: InputOptions = {}): RuleInput {
  const until = (samples: RuleSample[]) => samples.filter((s) => s.measuredAt.getTime() <= now.getTime() && s.measuredAt.getTime() > now.getTime() - 15 * 60_000);
  const seen = (samples: RuleSample[]) => newest(samples.filter((s) => s.measuredAt.getTime() <= now.getTime()));
  return makeInput({
    ...options,
    now,
    source: until(all.source),
    avs: until(all.avs),
    lastSampleAt: { source: seen(all.source), avs: seen(all.avs), ...options.lastSampleAt },
  });
}

export type StoredWarning = Omit<ActiveWarning, "state"> & {
  tenantId: string;
  message: string;
  details: Record<string, unknown>;
  state: "open" | "acknowledged" | "resolved";
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
};

/** Applies the lifecycle's changes to an in-memory warnings table, exactly as listed. */
export function applyChanges(table: StoredWarning[], changes: readonly WarningChange[]): void {
  for (const change of changes) {
    if (change.op === "open") {
      if (table.some((w) => w.dedupeKey === change.dedupeKey && w.state !== "resolved")) {
        throw new Error(`open would violate the active dedupe-key index: ${change.dedupeKey}`);
      }
      table.push({ ...change.values, id: `w${table.length + 1}`, resolvedAt: null, acknowledgedAt: null, acknowledgedBy: null });
      continue;
    }
    const row = table.find((w) => w.id === change.id);
    if (!row) throw new Error(`${change.op} of an unknown warning ${change.id}`);
    Object.assign(row, change.set);
  }
}

export function activeOf(table: readonly StoredWarning[]): ActiveWarning[] {
  return table.filter((w): w is StoredWarning & { state: "open" | "acknowledged" } => w.state !== "resolved");
}

export type TimelineStep = { at: Date; minute: number; status: TunnelStatus; conditions: Condition[]; changes: WarningChange[]; table: StoredWarning[] };

/**
 * Evaluates the tunnel every `stepS` seconds from `from` to `to` (minutes after T0), applying
 * every change to `table`, and returns what happened at each step.
 */
export function runTimeline(
  all: Record<Side, RuleSample[]>,
  opts: {
    fromMinute: number;
    toMinute: number;
    stepS?: number;
    /** Fixed options, or options by time (an operator changing the tenant mid-way). */
    input?: InputOptions | ((at: Date) => InputOptions);
    table?: StoredWarning[];
    beforeStep?: (table: StoredWarning[], at: Date) => void;
  },
): { steps: TimelineStep[]; table: StoredWarning[] } {
  const table = opts.table ?? [];
  const steps: TimelineStep[] = [];
  const stepMs = (opts.stepS ?? INTERVAL_S) * 1000;
  for (let t = T0.getTime() + opts.fromMinute * 60_000; t <= T0.getTime() + opts.toMinute * 60_000; t += stepMs) {
    const at = new Date(t + 5000);
    opts.beforeStep?.(table, at);
    const input = inputAt(at, all, typeof opts.input === "function" ? opts.input(at) : opts.input);
    const evaluation = evaluateTenant([input]);
    const changes = reconcileWarnings({ active: activeOf(table), evaluation, now: at, resolveAfterClearMinutes: input.thresholds.resolveAfterClearMinutes });
    applyChanges(table, changes);
    steps.push({
      at,
      minute: (t - T0.getTime()) / 60_000,
      status: tunnelHealth(input, evaluation.conditions, at),
      conditions: evaluation.conditions,
      changes,
      table: table.map((w) => ({ ...w })),
    });
  }
  return { steps, table };
}

/** The first timeline minute at which `predicate` holds, or null. */
export function firstMinute(steps: readonly TimelineStep[], predicate: (step: TimelineStep) => boolean): number | null {
  return steps.find(predicate)?.minute ?? null;
}

export function kindsOf(conditions: readonly Condition[]): string[] {
  return conditions.map((c) => c.kind).sort();
}

/** A change of an end's role at `atS` seconds after T0, as its pair helper would log it. */
export type RoleChange = { atS: number; role: PairEndRole; reason: string };

/** Healthy samples every 30 s from T0 whose pair role follows `changes` (none before the first). */
export function pairEnd(count: number, changes: RoleChange[], seed = 11): RuleSample[] {
  return series({ count, seed }).map((sample) => {
    const t = (sample.measuredAt.getTime() - T0.getTime()) / 1000;
    const current = [...changes].reverse().find((c) => c.atS <= t);
    return current ? { ...sample, pairRole: current.role, pairSince: new Date(T0.getTime() + current.atS * 1000), pairReason: current.reason } : sample;
  });
}

export type PairEnds = Record<Side, RuleSample[]>;

/**
 * The input the job would build at `now` for tunnel 1 of a tenant whose two tunnels' ends sent
 * these samples: the pair's rules see both tunnels, the per-tunnel rules tunnel 1.
 */
export function pairInputAt(now: Date, tunnels: { 1: PairEnds; 2: PairEnds }, options: InputOptions = {}): RuleInput {
  const until = (samples: RuleSample[]) => samples.filter((s) => s.measuredAt.getTime() <= now.getTime());
  const sides = (ends: PairEnds) => ({
    source: { samples: until(ends.source), lastSampleAt: newest(until(ends.source)) },
    avs: { samples: until(ends.avs), lastSampleAt: newest(until(ends.avs)) },
  });
  return inputAt(now, tunnels[1], {
    ...options,
    pair: {
      tunnels: [
        { id: TUNNEL_ID, ordinal: 1, name: "primary", sides: sides(tunnels[1]) },
        { id: TUNNEL_2_ID, ordinal: 2, name: "standby", sides: sides(tunnels[2]) },
      ],
    },
  });
}

export const TUNNEL_2_ID = "7d1f3c7e-0000-4000-8000-0000000000a2";
