import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveThresholds } from "@/lib/telemetry/thresholds";
import { evaluateTenant, evaluateTunnel, RULES } from "./evaluate";
import {
  around,
  ASYMMETRIC_REVERSE_PATH,
  FORWARD_PATH,
  healthyBoth,
  type InputOptions,
  makeInput,
  runTimeline,
  series,
  SYMMETRIC_REVERSE_PATH,
  T0,
  TENANT_ID,
  TUNNEL_ID,
  pairEnd,
  pairInputAt,
  type RoleChange,
} from "@/tests/support/rule-timeline";
import { type PathHop, type RuleSample } from "./types";
import type { Side } from "@/lib/domain/tenant-options";
import { WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";

const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);
/** Samples 20–39, i.e. minutes 10 to 20 of the timeline. */
const bad = (i: number) => i >= 20 && i < 40;
const COUNT = 120; // an hour of samples

type Scenario = {
  kind: WarningKind;
  samples: () => Record<Side, RuleSample[]>;
  input?: (at: Date) => InputOptions;
  /** When the warning must have opened by, in minutes (flapping needs 4 transitions, i.e. two outages). */
  openBy?: number;
  /** When the condition may last be seen, in minutes (flapping lingers while the window still holds the transitions). */
  lastSeenBy?: number;
};

const both = (make: (seed: number) => RuleSample[]) => ({ source: make(51), avs: make(52) });
const duringBad = (at: Date) => at >= minutes(10) && at < minutes(20);

const SCENARIOS: Scenario[] = [
  { kind: "latency-objective", samples: () => both((seed) => series({ count: COUNT, seed, rtt: (i, r) => (bad(i) ? around(r, 31, 2) : around(r, 12, 1.5)) })) },
  { kind: "latency-baseline", samples: () => both((seed) => series({ count: COUNT, seed, rtt: (i, r) => (bad(i) ? around(r, 19.5, 0.3) : around(r, 12, 1.5)) })) },
  { kind: "jitter", samples: () => both((seed) => series({ count: COUNT, seed, jitter: (i, r) => (bad(i) ? around(r, 16, 3) : around(r, 1, 0.6)) })) },
  { kind: "loss", samples: () => both((seed) => series({ count: COUNT, seed, loss: (i, r) => (bad(i) ? around(r, 3, 1) : 0) })) },
  { kind: "path-mtu", samples: () => both((seed) => series({ count: COUNT, seed, dfOk: (i) => !bad(i) })) },
  {
    kind: "asymmetric-routing",
    samples: () => ({
      source: series({ count: COUNT, seed: 51, path: () => FORWARD_PATH }),
      avs: series({ count: COUNT, seed: 52, path: (i): PathHop[] => (bad(i) ? ASYMMETRIC_REVERSE_PATH : SYMMETRIC_REVERSE_PATH) }),
    }),
  },
  { kind: "broadcast-storm", samples: () => both((seed) => series({ count: COUNT, seed, bum: (i, r) => (bad(i) ? around(r, 4_000, 500) : around(r, 40, 25)) })) },
  { kind: "mac-flood", samples: () => both((seed) => series({ count: COUNT, seed, macs: (i) => (bad(i) ? 5_000 + i * 10 : 120) })) },
  { kind: "tunnel-down", samples: () => both((seed) => series({ count: COUNT, seed, loss: (i) => (bad(i) ? 100 : 0) })) },
  {
    kind: "flapping",
    // Down for one sample in every three during the bad period.
    samples: () => both((seed) => series({ count: COUNT, seed, loss: (i) => (bad(i) && i % 3 === 0 ? 100 : 0) })),
    openBy: 13,
    lastSeenBy: 35,
  },
  {
    kind: "stale",
    // The AVS agent dies at minute 10 and is restarted at minute 20.
    samples: () => ({ source: series({ count: COUNT, seed: 51 }), avs: series({ count: COUNT, seed: 52 }).filter((_, i) => !bad(i)) }),
  },
  { kind: "tromboning", samples: () => healthyBoth(COUNT), input: (at) => ({ workloadsMostlyIn: duringBad(at) ? "avs" : "source" }) },
  {
    kind: "single-point-of-failure",
    samples: () => healthyBoth(COUNT),
    input: (at) => ({ redundancy: { sharedGatewayHost: duringBad(at) ? "gw01.contoso.example" : null } }),
  },
  {
    kind: "stretch-past-cutover",
    samples: () => healthyBoth(COUNT),
    // The operator records a new cut-over date at minute 20.
    input: (at) => ({ tenant: { plannedCutoverOn: duringBad(at) ? "2026-02-01" : "2026-06-30" } }),
  },
  // The pair's rules: tunnel 1 active and tunnel 2 standing by, except from minute 10 to 20.
  pairScenario("pair-both-active", { t2source: [{ atS: 600, role: "active", reason: "elected" }, { atS: 1200, role: "standby", reason: "peer-active" }] }),
  pairScenario("pair-no-active-path", {
    t1avs: [{ atS: 600, role: "standby", reason: "peer-active" }, { atS: 1200, role: "active", reason: "elected" }],
    t2avs: [{ atS: 600, role: "active", reason: "elected" }, { atS: 1200, role: "standby", reason: "peer-active" }],
  }),
  pairScenario("pair-standby-unhealthy", { t2source: [{ atS: 600, role: "fault", reason: "underlay-down" }, { atS: 1200, role: "standby", reason: "peer-active" }] }),
  {
    // Tunnel 1's gateway faults at minute 10 and is back in standby a minute later; the failover is news for 15 minutes.
    ...pairScenario("pair-failover", {
      t1source: [{ atS: 600, role: "fault", reason: "tunnel-silent" }, { atS: 660, role: "standby", reason: "peer-active" }],
      t1avs: [{ atS: 601, role: "standby", reason: "peer-active" }],
      t2source: [{ atS: 600.5, role: "active", reason: "elected" }],
      t2avs: [{ atS: 602, role: "active", reason: "elected" }],
    }),
    lastSeenBy: 25.5,
  },
];

/** A pair scenario: each end starts as a steady pair's does, then makes `changes`. */
function pairScenario(kind: WarningKind, changes: Partial<Record<"t1source" | "t1avs" | "t2source" | "t2avs", RoleChange[]>>): Scenario {
  const start = (role: "active" | "standby"): RoleChange[] => [{ atS: 0, role, reason: role === "active" ? "elected" : "peer-active" }];
  const tunnels = () => ({
    1: { source: pairEnd(COUNT, [...start("active"), ...(changes.t1source ?? [])], 51), avs: pairEnd(COUNT, [...start("active"), ...(changes.t1avs ?? [])], 52) },
    2: { source: pairEnd(COUNT, [...start("standby"), ...(changes.t2source ?? [])], 53), avs: pairEnd(COUNT, [...start("standby"), ...(changes.t2avs ?? [])], 54) },
  });
  const all = tunnels();
  return { kind, samples: () => all[1], input: (at) => ({ pair: pairInputAt(at, all).pair! }) };
}

describe("every rule through the lifecycle: opens when it should, stays one warning, resolves after the clear period", () => {
  it("covers every kind of warning", () => {
    expect(SCENARIOS.map((s) => s.kind).sort()).toEqual(Object.keys(WARNING_KINDS).sort());
  });

  it.each(SCENARIOS)("$kind", (scenario) => {
    const { steps, table } = runTimeline(scenario.samples(), { fromMinute: 0, toMinute: 55, input: scenario.input });
    const rows = table.filter((w) => w.kind === scenario.kind);
    // One warning for the whole episode: damping kept it from opening twice.
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const openedAt = (row.openedAt.getTime() - T0.getTime()) / 60_000;
    // Nothing before the bad period; open within openAfterConsecutive samples of it starting.
    expect(openedAt).toBeGreaterThanOrEqual(10);
    expect(openedAt).toBeLessThanOrEqual(scenario.openBy ?? 11.5);
    const seen = steps.filter((s) => s.conditions.some((c) => c.kind === scenario.kind));
    const lastSeen = seen.at(-1)!.minute;
    expect(lastSeen).toBeGreaterThanOrEqual(19.5);
    expect(lastSeen).toBeLessThanOrEqual(scenario.lastSeenBy ?? 21);
    // Held open while seen, then resolved exactly resolveAfterClearMinutes after the first clear evaluation.
    expect(row.state).toBe("resolved");
    expect(row.clearSince?.getTime()).toBe(minutes(lastSeen + 0.5).getTime() + 5000);
    expect(row.resolvedAt?.getTime()).toBe(row.clearSince!.getTime() + 10 * 60_000);
    // Other warnings may ride along (a latency spike also breaks the baseline), but none outlives the scenario.
    expect(table.filter((w) => w.state !== "resolved")).toEqual([]);
  });
});

describe("maintenance", () => {
  const stormy = () => both((seed) => series({ count: 30, seed, bum: (_, r) => around(r, 20_000, 1_000), loss: () => 8 }));

  it("silences every rule while maintenanceUntil is in the future, and holds the tunnel's existing warnings", () => {
    const input = makeInput({ ...stormy(), tunnel: { maintenanceUntil: minutes(60) }, redundancy: { tunnelCount: 1 } });
    expect(evaluateTunnel(input)).toEqual([]);
    expect(evaluateTenant([input])).toEqual({ conditions: [], heldTunnelIds: [TUNNEL_ID], tenantWideHeld: true });
  });

  it("lets the rules speak again once the maintenance window has passed", () => {
    const input = makeInput({ ...stormy(), tunnel: { maintenanceUntil: minutes(10) } });
    expect(evaluateTunnel(input).map((c) => c.kind).sort()).toEqual(["broadcast-storm", "loss"]);
  });
});

describe("evaluateTunnel and evaluateTenant", () => {
  it("reports a down tunnel as down alone, not also as loss, MTU and path trouble", () => {
    const down = both((seed) => series({ count: 30, seed, loss: (i) => (i >= 20 ? 100 : 0), path: () => FORWARD_PATH }));
    const kinds = evaluateTunnel(makeInput(down)).map((c) => c.kind);
    expect(kinds).toEqual(["tunnel-down"]);
    expect(evaluateTenant([makeInput(down)]).heldTunnelIds).toEqual([TUNNEL_ID]);
  });

  it("reports a tenant-wide condition once for a tenant with two tunnels", () => {
    const a = makeInput({ ...healthyBoth(30), redundancy: { sharedGatewayHost: "gw01" } });
    const b = makeInput({ ...healthyBoth(30), tunnel: { id: "tunnel-2", ordinal: 2 }, redundancy: { sharedGatewayHost: "gw01" } });
    const evaluation = evaluateTenant([a, b]);
    expect(evaluation.conditions.map((c) => c.dedupeKey)).toEqual([`single-point-of-failure:tenant:${TENANT_ID}`]);
    expect(evaluation).toMatchObject({ heldTunnelIds: [], tenantWideHeld: false });
  });

  it("keeps tenant-wide conditions coming from a tunnel out of maintenance while the other is in it", () => {
    const a = makeInput({ ...healthyBoth(30), tunnel: { maintenanceUntil: minutes(60) }, workloadsMostlyIn: "avs" });
    const b = makeInput({ ...healthyBoth(30), tunnel: { id: "tunnel-2", ordinal: 2 }, workloadsMostlyIn: "avs" });
    expect(evaluateTenant([a, b])).toMatchObject({ heldTunnelIds: [TUNNEL_ID], tenantWideHeld: false, conditions: [{ kind: "tromboning" }] });
  });

  it("holds a tunnel that nobody can see (both sides silent)", () => {
    const input = makeInput({ ...healthyBoth(10), now: minutes(30) });
    expect(evaluateTenant([input]).heldTunnelIds).toEqual([TUNNEL_ID]);
  });

  it("refuses tunnels of different tenants in one evaluation", () => {
    const other = makeInput({ tenant: { id: "another-tenant" } });
    expect(() => evaluateTenant([makeInput(), other])).toThrow("evaluateTenant takes one tenant's tunnels; got tunnels of 2 tenants.");
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over arbitrary telemetry an agent may legally send
// ---------------------------------------------------------------------------------------------

const addressArb = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant(null));
const hopArb = fc.record({ ttl: fc.integer({ min: 1, max: 64 }), address: addressArb, rttMs: fc.option(fc.double({ min: 0, max: 60_000, noNaN: true }), { nil: null }) });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const sampleArb = (offsetS: fc.Arbitrary<number>) =>
  fc.record({
    offsetS,
    rttMs: maybe(fc.double({ min: 0, max: 60_000, noNaN: true })),
    jitterMs: maybe(fc.double({ min: 0, max: 60_000, noNaN: true })),
    lossPct: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
    dfProbeBytes: maybe(fc.integer({ min: 68, max: 9216 })),
    dfProbeOk: maybe(fc.boolean()),
    path: maybe(fc.array(hopArb, { maxLength: 12 })),
    bumPps: maybe(fc.double({ min: 0, max: 100_000_000, noNaN: true })),
    learnedMacs: maybe(fc.integer({ min: 0, max: 10_000_000 })),
  });
const sideArb = fc.array(sampleArb(fc.integer({ min: -3600, max: 300 })), { maxLength: 40 });

function toSamples(now: Date, raw: { offsetS: number }[]): RuleSample[] {
  return raw.map(({ offsetS, ...rest }) => ({ ...rest, measuredAt: new Date(now.getTime() + offsetS * 1000) }));
}

describe("properties", () => {
  it("no rule throws on any telemetry an agent may legally send, and every condition is well formed", () => {
    const now = minutes(30);
    fc.assert(
      fc.property(
        sideArb,
        sideArb,
        maybe(fc.double({ min: 0.01, max: 60_000, noNaN: true })),
        fc.constantFrom("source", "avs", "unknown") as fc.Arbitrary<Side | "unknown">,
        fc.integer({ min: 1, max: 2 }),
        maybe(fc.integer({ min: -400, max: 400 })),
        (source, avs, baselineRttMs, workloadsMostlyIn, tunnelCount, cutoverOffsetDays) => {
          const plannedCutoverOn = cutoverOffsetDays === null ? null : new Date(now.getTime() - cutoverOffsetDays * 86_400_000).toISOString().slice(0, 10);
          const input = makeInput({
            now,
            source: toSamples(now, source),
            avs: toSamples(now, avs),
            lastSampleAt: { source: null, avs: null },
            baselineRttMs,
            workloadsMostlyIn,
            redundancy: { tunnelCount },
            tenant: { plannedCutoverOn },
          });
          for (const c of evaluateTunnel(input)) {
            expect(c.dedupeKey.startsWith(`${c.kind}:`)).toBe(true);
            expect(c.tenantId).toBe(TENANT_ID);
            expect(c.tunnelId).toBe(WARNING_KINDS[c.kind].scope === "tenant" ? null : TUNNEL_ID);
            expect(c.message).not.toMatch(/NaN|undefined|Infinity|null|\[object/);
            expect(JSON.parse(JSON.stringify(c.details))).toEqual(c.details);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a healthy tunnel yields no condition, whatever its noise and the tenant's objective", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 5, max: 200, noNaN: true }),
        fc.integer({ min: 3, max: 30 }),
        (seed, objective, count) => {
          // RTT anywhere under the objective, the baseline at or above three quarters of it.
          const healthy = (s: number) =>
            series({
              count,
              seed: s,
              rtt: (_, r) => objective * (0.75 + 0.25 * r()),
              jitter: (_, r) => r() * 9.9,
              loss: (_, r) => r() * 0.99,
              bum: (_, r) => r() * 999,
              macs: (_, r) => Math.floor(r() * 4000),
              path: (i) => (i % 2 ? FORWARD_PATH : null),
            });
          const source = healthy(seed);
          const avs = healthy(seed + 1).map((s) => ({ ...s, path: s.path ? SYMMETRIC_REVERSE_PATH : null }));
          const input = makeInput({ source, avs, latencyObjectiveMs: objective, baselineRttMs: objective * 0.75 });
          expect(evaluateTunnel(input)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("every rule is pure: the same input gives the same conditions, and the input is not modified", () => {
    const input = makeInput(both((seed) => series({ count: 30, seed, loss: (i) => (i > 25 ? 4 : 0), rtt: (i) => (i > 25 ? 50 : 12) })));
    const snapshot = structuredClone(input);
    for (const rule of Object.values(RULES)) expect(rule(input)).toEqual(rule(input));
    expect(input).toEqual(snapshot);
    expect(resolveThresholds(20)).toEqual(input.thresholds);
  });
});
