/**
 * What a simulated telemetry agent measures, scenario by scenario. Pure and deterministic: the
 * same scenario, seed, side, tick and time always give the same sample, so a restarted fleet
 * re-sends exactly what it sent before (the console counts those as duplicates) and tests can
 * pin a scenario's signature without timers.
 *
 * Time-shaped scenarios (a latency creep, a MAC flood, a flapping link) follow a cycle aligned to
 * the wall clock and shifted per seed, so tenants do not all peak at the same moment and a fleet
 * started at any time carries on where the previous one left off. Counters are closed-form
 * integrals of a positive rate, so they only ever grow, whatever the sampling interval.
 */
import { isIP } from "node:net";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { DF_PROBE_BYTES } from "@/lib/domain/limits";
import type { Side } from "@/lib/domain/tenant-options";

export const SCENARIOS = [
  "healthy",
  "latency-creep",
  "asymmetric-path",
  "mtu-black-hole",
  "down",
  "broadcast-storm",
  "flapping",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** What the simulator knows about the tunnel it pretends to measure. */
export type TunnelFacts = {
  /** The largest inner packet the tunnel must carry: the size of the don't-fragment probe. */
  innerMtu: number;
  underlayMtu: number;
  sourceUnderlayIp: string;
  avsUnderlayIp: string;
};

export type SampleContext = {
  side: Side;
  /** Which measurement this is; only feeds the noise, so any stable numbering will do. */
  tick: number;
  at: Date;
  /** One per tunnel: its base latency, traffic and hops, and where its cycles start. */
  seed: number;
  tunnel: TunnelFacts;
};

const MINUTE = 60_000;

/** How long one round of each time-shaped scenario lasts. */
export const CYCLE_MS = {
  /** 20 min climbing to ~3.5× baseline, 40 min held there, 10 min recovering, 50 min normal. */
  "latency-creep": 120 * MINUTE,
  /** The MAC table fills for an hour, then the bridge is restarted and it starts again. */
  "broadcast-storm": 60 * MINUTE,
  /** 4 min up, 3 min down: any 15-minute window (the warning rules') holds two outages. */
  flapping: 7 * MINUTE,
} as const;
type CycledScenario = keyof typeof CYCLE_MS;

const CREEP = { rampMinutes: 20, holdUntilMinute: 60, recoveredAtMinute: 70, peak: 3.5 };
const FLAP_UP_MS = 4 * MINUTE;
/** The "down" scenario's tunnel has been down since this moment: its receive counters stop here. */
const DOWN_SINCE_MS = Date.UTC(2026, 0, 1);
/** Counters count from here, so they stay well inside Number.MAX_SAFE_INTEGER for decades. */
const COUNTER_EPOCH_MS = Date.UTC(2024, 0, 1);

/** Where the cycle containing `at` began, for this scenario and seed. */
export function cycleStart(scenario: CycledScenario, at: Date, seed: number): Date {
  const length = CYCLE_MS[scenario];
  const offset = hash(seed, 0xc1c1e) % length;
  return new Date(at.getTime() - mod(at.getTime() - offset, length));
}

/** The tunnel's usual round-trip time, 8–25 ms: a metro or regional path to the Azure region. */
export function baseRttMs(seed: number): number {
  return 8 + 17 * unit(hash(seed, 0xba5e));
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === "string" && (SCENARIOS as readonly string[]).includes(value);
}

export function sampleFor(scenario: Scenario, ctx: SampleContext): TelemetrySample {
  const { side, tick, at, seed, tunnel } = ctx;
  const random = prng(hash(seed, side === "source" ? 1 : 2, tick));
  const down = scenario === "down" || (scenario === "flapping" && mod(at.getTime() - cycleStart("flapping", at, seed).getTime(), CYCLE_MS.flapping) >= FLAP_UP_MS);
  const base = baseRttMs(seed);
  // As the real agent probes: a full tunnel packet toward the peer's underlay (the underlay MTU).
  const probeBytes = Math.min(DF_PROBE_BYTES.max, Math.max(DF_PROBE_BYTES.min, Math.round(tunnel.underlayMtu)));
  const counters = countersFor(scenario, ctx);

  if (down) {
    return {
      measuredAt: at.toISOString(),
      rttMs: null,
      jitterMs: null,
      lossPct: 100,
      dfProbe: { bytes: probeBytes, ok: false },
      // The trace still gets out of the site, then nothing answers.
      path: routeFor("forward", ctx).map((address, index) => ({
        ttl: index + 1,
        address: index < 2 ? address : null,
        rttMs: index < 2 && address ? round2(0.4 + index * 1.5 + random()) : null,
      })),
      counters,
      bumPps: round2(healthyBumPps(seed) * (0.7 + 0.6 * random())),
      // Only the site's own MACs are left once the far side's have aged out.
      learnedMacs: Math.max(1, Math.floor(workloadMacs(seed) / 2)),
    };
  }

  let rtt = base * (1 + 0.03 * gaussian(random)) + Math.abs(gaussian(random)) * 0.6;
  let jitter = 0.2 + 1.2 * random();
  let loss = random() < 0.93 ? 0 : 0.8 * random();
  let bumPps = healthyBumPps(seed) * (0.7 + 0.6 * random());
  let learnedMacs = workloadMacs(seed) + Math.floor(3 * random());
  // A queue somewhere now and then: one sample in thirty sees a spike.
  if (random() < 1 / 30) {
    rtt += 5 + 10 * random();
    jitter += 3 * random();
  }

  switch (scenario) {
    case "latency-creep": {
      const factor = creepFactor((at.getTime() - cycleStart(scenario, at, seed).getTime()) / MINUTE);
      rtt *= factor;
      jitter *= 1 + (factor - 1) * 0.6;
      break;
    }
    case "asymmetric-path":
      // The return path crosses more hops: a little more delay and noticeably more jitter.
      rtt += 2 + random();
      jitter *= 2;
      break;
    case "broadcast-storm": {
      const minutes = (at.getTime() - cycleStart(scenario, at, seed).getTime()) / MINUTE;
      bumPps = 20_000 + 40_000 * random();
      learnedMacs = workloadMacs(seed) + Math.floor(140 * minutes) + Math.floor(20 * random());
      // The flood competes with everything else on the tunnel.
      rtt *= 1.4 + 0.5 * random();
      jitter += 2 + 6 * random();
      loss = 0.5 + 3.5 * random();
      break;
    }
    case "flapping":
      jitter *= 1.5;
      break;
    default:
      break;
  }

  const route = routeFor(scenario === "asymmetric-path" && side === "avs" ? "alternate-reverse" : side === "source" ? "forward" : "reverse", ctx);
  return {
    measuredAt: at.toISOString(),
    rttMs: round2(rtt),
    jitterMs: round2(jitter),
    lossPct: round2(loss),
    dfProbe: { bytes: probeBytes, ok: scenario !== "mtu-black-hole" },
    path: route.map((address, index) => ({
      ttl: index + 1,
      address,
      // Each hop answers a little later than the one before; the last one is the far end.
      rttMs: address === null ? null : index === route.length - 1 ? round2(rtt) : round2(rtt * ((index + 1) / route.length) * (0.8 + 0.3 * random())),
    })),
    counters,
    bumPps: round2(bumPps),
    learnedMacs,
  };
}

/** Multiplier on the baseline RTT at `minutes` into a creep cycle. */
function creepFactor(minutes: number): number {
  const { rampMinutes, holdUntilMinute, recoveredAtMinute, peak } = CREEP;
  if (minutes < rampMinutes) {
    const x = minutes / rampMinutes;
    return 1 + (peak - 1) * x * x * (3 - 2 * x);
  }
  if (minutes < holdUntilMinute) return peak;
  if (minutes < recoveredAtMinute) return peak - ((peak - 1) * (minutes - holdUntilMinute)) / (recoveredAtMinute - holdUntilMinute);
  return 1;
}

function healthyBumPps(seed: number): number {
  return 2 + 25 * unit(hash(seed, 0xb0b));
}

/** How many workloads sit on the stretched VLAN: both bridges learn all of their MACs. */
function workloadMacs(seed: number): number {
  return 20 + Math.floor(60 * unit(hash(seed, 0x3ac)));
}

// --- Counters ---------------------------------------------------------------------------------

/**
 * Bytes carried by time `seconds` at a rate that swings ±30 % over an hour: the integral of
 * rate·(1 + 0.3·sin(2πs/P)). Its derivative is never below 0.7·rate, so the count only grows.
 */
function carried(rateBytesPerSecond: number, seconds: number): number {
  const period = 3600;
  const swing = (0.3 * period) / (2 * Math.PI);
  return rateBytesPerSecond * (seconds + swing - swing * Math.cos((2 * Math.PI * seconds) / period));
}

/** Seconds the tunnel has been carrying traffic by `at`: frozen while it is down. */
function upSeconds(scenario: Scenario, at: Date, seed: number): number {
  const elapsed = Math.max(0, at.getTime() - COUNTER_EPOCH_MS);
  if (scenario === "down") return Math.min(elapsed, Math.max(0, DOWN_SINCE_MS - COUNTER_EPOCH_MS)) / 1000;
  if (scenario === "flapping") {
    const length = CYCLE_MS.flapping;
    const shifted = elapsed + mod(-(hash(seed, 0xc1c1e) % length) + COUNTER_EPOCH_MS, length);
    return (Math.floor(shifted / length) * FLAP_UP_MS + Math.min(mod(shifted, length), FLAP_UP_MS)) / 1000;
  }
  return elapsed / 1000;
}

function countersFor(scenario: Scenario, { side, at, seed, tunnel }: SampleContext): NonNullable<TelemetrySample["counters"]> {
  const toAvs = 50_000 + 2_000_000 * unit(hash(seed, 0xa));
  const toSource = 50_000 + 2_000_000 * unit(hash(seed, 0xb));
  const packetBytes = Math.min(Math.max(tunnel.innerMtu, 200), 300 + 900 * unit(hash(seed, 0xc)));
  const sent = Math.max(0, at.getTime() - COUNTER_EPOCH_MS) / 1000;
  const received = upSeconds(scenario, at, seed);
  // Each side sends all the time; what reaches it from the far side stops while the tunnel is down.
  const [txRate, rxRate] = side === "source" ? [toAvs, toSource] : [toSource, toAvs];
  const txBytes = Math.floor(carried(txRate, sent));
  const rxBytes = Math.floor(carried(rxRate, received) * 0.999);
  return { txBytes, rxBytes, txPackets: Math.floor(txBytes / packetBytes), rxPackets: Math.floor(rxBytes / packetBytes) };
}

// --- Hops ---------------------------------------------------------------------------------------

type Direction = "forward" | "reverse" | "alternate-reverse";

/**
 * The hops toward the far end: the site's router, its provider, a hop that never answers, a
 * transit router, the Azure edge, the far side's router, the far gateway. The reverse path
 * crosses the same routers backwards (so, read backwards, it lines up hop for hop with the
 * forward one); the alternate one (asymmetric routing) leaves Azure by another edge and transit.
 *
 * Each kind of router draws its address from a network of its own (RFC 2544's 198.18.0.0/15,
 * or 2001:db8:b41d:<role>::/64), and the seed picks only the host part. So the alternate way
 * back never shares a router, or even a /24 or /64 (what the asymmetric-routing rule compares),
 * with the forward path, whatever the seed, and no carrier hop can be mistaken for a gateway's
 * own underlay network (the demo's are in 198.51.100.0/24 and 203.0.113.0/24).
 */
const HOP_NETWORKS = {
  provider: 1,
  transit: 2,
  edge: 3,
  "alternate-edge": 4,
  "alternate-transit": 5,
  "alternate-provider": 6,
} as const;
type HopRole = keyof typeof HOP_NETWORKS;

/** The router of `role` on this tunnel's route. */
export function carrierHop(role: HopRole, seed: number, family: 4 | 6): string {
  const network = HOP_NETWORKS[role];
  const host = (hash(seed, 0x40b, network) % 254) + 1;
  return family === 4 ? `198.18.${network}.${host}` : `2001:db8:b41d:${network}::${host.toString(16)}`;
}

function routeFor(direction: Direction, { seed, tunnel }: SampleContext): (string | null)[] {
  const family = isIP(tunnel.sourceUnderlayIp) === 6 || isIP(tunnel.avsUnderlayIp) === 6 ? 6 : 4;
  const hop = (role: HopRole) => carrierHop(role, seed, family);
  const farEnd = (ip: string) => (isIP(ip) ? ip : null);
  switch (direction) {
    case "forward":
      return [firstHop(tunnel.sourceUnderlayIp), hop("provider"), null, hop("transit"), hop("edge"), firstHop(tunnel.avsUnderlayIp), farEnd(tunnel.avsUnderlayIp)];
    case "reverse":
      return [firstHop(tunnel.avsUnderlayIp), hop("edge"), hop("transit"), null, hop("provider"), firstHop(tunnel.sourceUnderlayIp), farEnd(tunnel.sourceUnderlayIp)];
    case "alternate-reverse":
      return [
        firstHop(tunnel.avsUnderlayIp),
        hop("alternate-edge"),
        hop("alternate-transit"),
        hop("alternate-provider"),
        firstHop(tunnel.sourceUnderlayIp),
        farEnd(tunnel.sourceUnderlayIp),
      ];
  }
}

/** The gateway's own router: .1 of its /24 (or ::1 of its /64), whatever the address family. */
function firstHop(ip: string): string | null {
  if (isIP(ip) === 4) {
    const parts = ip.split(".");
    return `${parts.slice(0, 3).join(".")}.${parts[3] === "1" ? "254" : "1"}`;
  }
  if (isIP(ip) === 6) return "2001:db8:b41d:ffff::1";
  return null;
}

// --- Deterministic noise ------------------------------------------------------------------------

/** A 32-bit hash of whole numbers (any size up to 2^53, negative ones too). */
function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const whole = Math.trunc(part);
    for (const word of [whole >>> 0, Math.floor(whole / 0x1_0000_0000) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and good enough for noise on a chart. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

function unit(h: number): number {
  return h / 0x1_0000_0000;
}

/** Standard normal from two uniforms (Box–Muller), clamped so one sample cannot go wild. */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return Math.max(-4, Math.min(4, z));
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
