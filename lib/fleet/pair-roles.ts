/**
 * What a simulated agent of a tenant with two tunnels reports as its end's role in the pair, as
 * the real agent reads it from the pair helper. Pure and deterministic like the scenarios: the
 * role at a moment follows from the tenant's cycle alone, so both tunnels' four agents agree.
 *
 * A steady pair has tunnel 1 active at both ends and tunnel 2 standing by. A pair that plays
 * failovers repeats, every PAIR_CYCLE_MS (shifted per tenant): tunnel 1's underlay fails at
 * FAILOVER_AT and tunnel 2 takes over within seconds; tunnel 1's gateway recovers into standby
 * at RECOVERED_AT; and it takes the traffic back at FAILBACK_AT, after the hold-down. Each change
 * is offset by the fractions of a second the namespace tests measured, so the console sees the
 * states a real failover passes through.
 */
import type { PairEndRole } from "@/lib/domain/status";
import type { Side } from "@/lib/domain/tenant-options";
import type { TelemetrySample } from "@/lib/validation/telemetry";

const MINUTE = 60_000;
export const PAIR_CYCLE_MS = 60 * MINUTE;
const FAILOVER_AT = 40 * MINUTE;
const RECOVERED_AT = 43 * MINUTE;
const FAILBACK_AT = 50 * MINUTE;
export type PairPlay = {
  ordinal: 1 | 2;
  /** One per tenant, shared by both tunnels' agents: where the tenant's cycle starts. */
  seed: number;
  /** Whether this tenant's pair plays the failover cycle or stays steady. */
  failover: boolean;
  /** Where a steady pair's roles date from (the day its stretch began). */
  steadySince: Date;
};

type Change = { atMs: number; role: PairEndRole; reason: string };

/** The changes one end makes in a cycle, by milliseconds into it; before the first, the last of the cycle before holds. */
function cycleChanges(ordinal: 1 | 2, side: Side): Change[] {
  const ms = (minute: number, seconds = 0) => minute + seconds * 1000;
  if (ordinal === 1) {
    return side === "source"
      ? [
          { atMs: ms(FAILOVER_AT, 2), role: "fault", reason: "tunnel-silent" },
          { atMs: RECOVERED_AT, role: "standby", reason: "peer-active" },
          { atMs: FAILBACK_AT, role: "active", reason: "elected" },
        ]
      : [
          { atMs: ms(FAILOVER_AT, 3), role: "standby", reason: "peer-active" },
          { atMs: ms(FAILBACK_AT, 2), role: "active", reason: "elected" },
        ];
  }
  return side === "source"
    ? [
        { atMs: ms(FAILOVER_AT, 2.3), role: "active", reason: "elected" },
        { atMs: ms(FAILBACK_AT, 0.1), role: "standby", reason: "peer-active" },
      ]
    : [
        { atMs: ms(FAILOVER_AT, 4), role: "active", reason: "elected" },
        { atMs: ms(FAILBACK_AT, 2.1), role: "standby", reason: "peer-active" },
      ];
}

/** The cycle containing `at` began here, for this tenant. */
export function pairCycleStart(seed: number, at: Date): number {
  const offset = (seed >>> 0) % PAIR_CYCLE_MS;
  const t = at.getTime() - offset;
  return at.getTime() - (((t % PAIR_CYCLE_MS) + PAIR_CYCLE_MS) % PAIR_CYCLE_MS);
}

/** This end's role report at `at`, as the agent would send it. */
export function pairReport(play: PairPlay, side: Side, at: Date): NonNullable<TelemetrySample["pair"]> {
  if (!play.failover) {
    const active = play.ordinal === 1;
    return { role: active ? "active" : "standby", since: play.steadySince.toISOString(), reason: active ? "elected" : "peer-active" };
  }
  const start = pairCycleStart(play.seed, at);
  const into = at.getTime() - start;
  const changes = cycleChanges(play.ordinal, side);
  const current = [...changes].reverse().find((change) => change.atMs <= into);
  // Before this cycle's first change the end still holds the previous cycle's last role, since then.
  const held = current ?? changes.at(-1)!;
  const since = current ? start + held.atMs : start - PAIR_CYCLE_MS + held.atMs;
  return { role: held.role, since: new Date(since).toISOString(), reason: held.reason };
}
