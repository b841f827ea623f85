import { comparePaths, sameHopNetwork } from "@/lib/telemetry/rules/asymmetric-routing";
import { describe, expect, it } from "vitest";
import { sampleSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { baseRttMs, cycleStart, sampleFor, SCENARIOS, type Scenario, type TunnelFacts } from "./scenarios";

const TUNNEL: TunnelFacts = { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.120.8.10" };
const INTERVAL_MS = 10_000;
const START = new Date("2026-11-21T08:00:00Z");

/** `count` samples of one side, one every 10 s from `from`. */
function series(scenario: Scenario, options: { side?: "source" | "avs"; seed?: number; from?: Date; count: number; tunnel?: TunnelFacts }): TelemetrySample[] {
  const { side = "source", seed = 42, from = START, count, tunnel = TUNNEL } = options;
  return Array.from({ length: count }, (_, tick) =>
    sampleFor(scenario, { side, tick, seed, tunnel, at: new Date(from.getTime() + tick * INTERVAL_MS) }),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rtts = (samples: TelemetrySample[]) => samples.map((s) => s.rttMs).filter((v): v is number => typeof v === "number");
const answering = (sample: TelemetrySample) => (sample.path ?? []).map((hop) => hop.address).filter((a): a is string => a !== null);

describe("sampleFor", () => {
  it.each(SCENARIOS)("%s: every sample of both sides passes the ingest API's schema, with counters that never go back", (scenario) => {
    for (const side of ["source", "avs"] as const) {
      for (const tunnel of [TUNNEL, { innerMtu: 8950, underlayMtu: 9000, sourceUnderlayIp: "2001:db8:1::10", avsUnderlayIp: "2001:db8:2::10" }]) {
        const samples = series(scenario, { side, tunnel, count: 500 });
        for (const sample of samples) {
          const parsed = sampleSchema.safeParse(sample);
          if (!parsed.success) throw new Error(`${scenario}/${side} at ${sample.measuredAt}: ${parsed.error.message}`);
        }
        for (const key of ["txBytes", "rxBytes", "txPackets", "rxPackets"] as const) {
          const values = samples.map((s) => s.counters![key]);
          values.slice(1).forEach((value, i) => expect(value, `${scenario}/${side} ${key}`).toBeGreaterThanOrEqual(values[i]!));
        }
      }
    }
  });

  it("gives the same samples for the same seed, tick and time, and different ones for another seed", () => {
    for (const scenario of SCENARIOS) {
      expect(series(scenario, { count: 50 })).toEqual(series(scenario, { count: 50 }));
    }
    expect(series("healthy", { count: 50, seed: 7 })).not.toEqual(series("healthy", { count: 50, seed: 8 }));
  });

  it("healthy: RTT near a base of 8–25 ms with a little noise, no loss to speak of, the probe passes", () => {
    for (const seed of [1, 2, 3, 42, 1000]) {
      const samples = series("healthy", { seed, count: 360 });
      const typical = median(rtts(samples));
      expect(typical).toBeGreaterThanOrEqual(8);
      expect(typical).toBeLessThanOrEqual(27);
      expect(Math.abs(typical - baseRttMs(seed))).toBeLessThan(2);
      expect(new Set(rtts(samples)).size).toBeGreaterThan(100);
      expect(median(samples.map((s) => s.lossPct!))).toBe(0);
      expect(samples.every((s) => s.dfProbe?.ok === true && s.dfProbe.bytes === TUNNEL.underlayMtu)).toBe(true);
      expect(Math.max(...samples.map((s) => s.bumPps!))).toBeLessThan(100);
    }
  });

  it("latency-creep: RTT climbs over 20 minutes to about 3.5× where it began", () => {
    const seed = 11;
    const from = cycleStart("latency-creep", START, seed);
    const samples = series("latency-creep", { seed, from, count: 6 * 25 });
    const first = median(rtts(samples.slice(0, 12)));
    const after20 = median(rtts(samples.slice(6 * 20, 6 * 25)));
    expect(first).toBeLessThan(baseRttMs(seed) * 1.2);
    expect(after20 / first).toBeGreaterThanOrEqual(2.5);
    expect(after20 / first).toBeLessThanOrEqual(4.2);
    // A creep, not a step: each five minutes is slower than the last.
    const steps = [0, 1, 2, 3].map((k) => median(rtts(samples.slice(k * 30, (k + 1) * 30))));
    steps.slice(1).forEach((step, k) => expect(step).toBeGreaterThan(steps[k]!));
  });

  it("asymmetric-path: the AVS side's way back crosses other routers than the source side's way there; healthy does not", () => {
    // Without the far gateway itself; the middle leaves out each site's own router too.
    const hopsBetween = (sample: TelemetrySample) => answering(sample).slice(0, -1);
    const middle = (sample: TelemetrySample) => answering(sample).slice(1, -2);
    const [forward] = series("asymmetric-path", { side: "source", count: 1 });
    const [reverse] = series("asymmetric-path", { side: "avs", count: 1 });
    expect(answering(forward!).at(-1)).toBe(TUNNEL.avsUnderlayIp);
    expect(answering(reverse!).at(-1)).toBe(TUNNEL.sourceUnderlayIp);
    expect(middle(reverse!).filter((hop) => middle(forward!).includes(hop))).toEqual([]);

    const [healthyForward] = series("healthy", { side: "source", count: 1 });
    const [healthyReverse] = series("healthy", { side: "avs", count: 1 });
    expect([...hopsBetween(healthyReverse!)].reverse()).toEqual(hopsBetween(healthyForward!));
    // The console's own comparison agrees: healthy lines up hop for hop, asymmetric does not.
    expect(comparePaths(healthyForward!.path!, healthyReverse!.path!)).toBeNull();
    expect(comparePaths(forward!.path!, reverse!.path!)).not.toBeNull();
  });

  it("asymmetric-path: for every seed and address family, no router or router network of the way back lies on the way there", () => {
    const tunnels: TunnelFacts[] = [
      TUNNEL,
      { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "203.0.113.20", avsUnderlayIp: "10.120.8.12" },
      { innerMtu: 8950, underlayMtu: 9000, sourceUnderlayIp: "2001:db8:1::10", avsUnderlayIp: "2001:db8:2::10" },
    ];
    const seeds = [...Array.from({ length: 3000 }, (_, i) => i), 0x7fff_ffff, 0xffff_ffff, 2 ** 40 + 3, -1];
    const middle = (sample: TelemetrySample) => answering(sample).slice(1, -2);
    for (const tunnel of tunnels) {
      for (const seed of seeds) {
        const at = (side: "source" | "avs", scenario: Scenario) => sampleFor(scenario, { side, tick: 0, seed, tunnel, at: START });
        const forward = at("source", "asymmetric-path");
        const reverse = at("avs", "asymmetric-path");
        const shared = middle(reverse).filter((hop) => middle(forward).some((other) => sameHopNetwork(hop, other)));
        if (shared.length > 0 || comparePaths(forward.path!, reverse.path!) === null) {
          throw new Error(`seed ${seed}, ${tunnel.sourceUnderlayIp}: the way back shares ${shared.join(", ") || "its route"} with the way there`);
        }
        // And the healthy tunnel with the same seed lines up hop for hop, so the rule stays quiet.
        expect(comparePaths(at("source", "healthy").path!, at("avs", "healthy").path!)).toBeNull();
      }
    }
  });

  it("mtu-black-hole: the full-size don't-fragment probe fails while small pings get through", () => {
    const samples = series("mtu-black-hole", { count: 100 });
    expect(samples.every((s) => s.dfProbe?.ok === false && s.dfProbe.bytes === TUNNEL.underlayMtu)).toBe(true);
    expect(samples.every((s) => typeof s.rttMs === "number" && s.lossPct! < 100)).toBe(true);
  });

  it("down: 100 % loss, no RTT, the trace dies after the provider, and nothing more is received", () => {
    const samples = series("down", { count: 100 });
    expect(samples.every((s) => s.lossPct === 100 && s.rttMs === null && s.jitterMs === null && s.dfProbe?.ok === false)).toBe(true);
    expect(samples.every((s) => answering(s).length === 2)).toBe(true);
    expect(new Set(samples.map((s) => s.counters!.rxBytes)).size).toBe(1);
    expect(samples.at(-1)!.counters!.txBytes).toBeGreaterThan(samples[0]!.counters!.txBytes);
  });

  it("broadcast-storm: tens of thousands of BUM packets a second and a MAC table that keeps filling", () => {
    const seed = 5;
    const from = cycleStart("broadcast-storm", START, seed);
    const samples = series("broadcast-storm", { seed, from, count: 6 * 50 });
    expect(samples.every((s) => s.bumPps! >= 10_000 && s.bumPps! < 100_000)).toBe(true);
    const macs = samples.map((s) => s.learnedMacs!);
    expect(macs.at(-1)!).toBeGreaterThan(4_096);
    expect(macs.at(-1)! / macs[0]!).toBeGreaterThan(10);
    const perMinute = Array.from({ length: 50 }, (_, m) => macs[m * 6]!);
    perMinute.slice(1).forEach((value, m) => expect(value).toBeGreaterThan(perMinute[m]!));
  });

  it("flapping: goes down and comes back twice in any 15-minute window, its counters pausing meanwhile", () => {
    for (const minute of [0, 2, 5]) {
      const window = series("flapping", { count: 6 * 15, from: new Date(START.getTime() + minute * 60_000) });
      const states = window.map((s) => (s.lossPct === 100 ? "down" : "up"));
      expect(states.slice(1).filter((state, i) => state !== states[i]).length).toBeGreaterThanOrEqual(4);
    }
    const samples = series("flapping", { count: 6 * 15 });
    const states = samples.map((s) => (s.lossPct === 100 ? "down" : "up"));
    const downs = samples.filter((s) => s.lossPct === 100);
    expect(downs.length).toBeGreaterThan(6 * 3);
    expect(downs.every((s) => s.rttMs === null)).toBe(true);
    // While down, nothing comes in: consecutive down samples show the same receive count.
    const stalled = samples.slice(1).filter((s, i) => states[i] === "down" && states[i + 1] === "down" && s.counters!.rxBytes === samples[i]!.counters!.rxBytes);
    expect(stalled.length).toBeGreaterThan(0);
  });
});
