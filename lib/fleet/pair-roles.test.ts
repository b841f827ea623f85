import { describe, expect, it } from "vitest";
import { SIDES, type Side } from "@/lib/domain/tenant-options";
import { pairBothActiveRule } from "@/lib/telemetry/rules/pair-both-active";
import { pairFailoverRule } from "@/lib/telemetry/rules/pair-failover";
import { pairNoActivePathRule } from "@/lib/telemetry/rules/pair-no-active-path";
import { pairStandbyUnhealthyRule } from "@/lib/telemetry/rules/pair-standby-unhealthy";
import { pairInputAt } from "@/tests/support/rule-timeline";
import type { RuleSample } from "@/lib/telemetry/rules/types";
import { sampleSchema } from "@/lib/validation/telemetry";
import { PAIR_CYCLE_MS, pairCycleStart, pairReport, type PairPlay } from "./pair-roles";

const SEED = 424_242;
const MINUTE = 60_000;
const start = pairCycleStart(SEED, new Date(Date.UTC(2026, 10, 21, 12)));

/** Two hours of what the four simulated agents send, every 30 s, as the rules read it back from the database. */
function fleetSamples(failover: boolean) {
  const end = (ordinal: 1 | 2, side: Side): RuleSample[] => {
    const play: PairPlay = { ordinal, seed: SEED, failover, steadySince: new Date("2026-10-05") };
    return Array.from({ length: 240 }, (_, i) => {
      const at = new Date(start + i * 30_000 + (side === "avs" ? 7_000 : 0));
      const report = pairReport(play, side, at);
      expect(sampleSchema.safeParse({ measuredAt: at.toISOString(), pair: report }).success).toBe(true);
      return { measuredAt: at, rttMs: 12, lossPct: 0, pairRole: report.role, pairSince: new Date(report.since), pairReason: report.reason };
    });
  };
  return { 1: { source: end(1, "source"), avs: end(1, "avs") }, 2: { source: end(2, "source"), avs: end(2, "avs") } };
}

const kindsAt = (minutes: number, samples: ReturnType<typeof fleetSamples>) => {
  const input = pairInputAt(new Date(start + minutes * MINUTE + 10_000), samples);
  return [pairBothActiveRule, pairNoActivePathRule, pairStandbyUnhealthyRule, pairFailoverRule].flatMap((rule) => rule(input));
};

describe("the simulated pair", () => {
  it("keeps tunnel 1 active and tunnel 2 standing by when it plays no failover, and the rules find nothing to say", () => {
    const steady = fleetSamples(false);
    for (const side of SIDES) {
      expect(new Set(steady[1][side].map((s) => s.pairRole))).toEqual(new Set(["active"]));
      expect(new Set(steady[2][side].map((s) => s.pairRole))).toEqual(new Set(["standby"]));
    }
    for (let minute = 20; minute < 120; minute += 7) expect(kindsAt(minute, steady)).toEqual([]);
  });

  it("fails over once an hour and back ten minutes later, as a real pair does: the console sees both, never a loop or a cut", () => {
    const samples = fleetSamples(true);
    for (let minute = 15; minute < 120; minute += 0.5) {
      const kinds = kindsAt(minute, samples).map((c) => c.kind);
      expect(kinds, `at ${minute} min`).not.toContain("pair-both-active");
      expect(kinds, `at ${minute} min`).not.toContain("pair-no-active-path");
    }
    expect(kindsAt(41, samples).map((c) => c.kind).sort()).toEqual(["pair-failover", "pair-standby-unhealthy"]);
    expect(kindsAt(45, samples).find((c) => c.kind === "pair-failover")?.details).toMatchObject({ from: 1, to: 2, failBack: false, reason: "tunnel-silent" });
    expect(kindsAt(55, samples).find((c) => c.kind === "pair-failover")?.details).toMatchObject({ from: 2, to: 1, failBack: true });
    // The next cycle starts without a change: nothing new until its own failover.
    expect(kindsAt(61, samples).map((c) => c.kind)).toEqual(["pair-failover"]);
    expect(kindsAt(61, samples)[0]?.details).toMatchObject({ failBack: true });
    expect(kindsAt(70, samples)).toEqual([]);
    expect(PAIR_CYCLE_MS).toBe(60 * MINUTE);
  });
});
