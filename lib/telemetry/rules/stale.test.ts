import { describe, expect, it } from "vitest";
import { staleRule } from "./stale";
import { healthyBoth, makeInput, series, T0, TUNNEL_ID } from "@/tests/support/rule-timeline";

const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

describe("stale telemetry", () => {
  it("says nothing while both agents report every 30 s", () => {
    expect(staleRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("tolerates a late batch: within three intervals (90 s) a side is not stale", () => {
    const both = healthyBoth(30); // newest at 14.5 min
    expect(staleRule(makeInput({ ...both, now: new Date(minutes(14.5).getTime() + 89_000) }))).toEqual([]);
  });

  it("warns per side once one agent has been silent for longer, with when it last reported", () => {
    const source = series({ count: 30, seed: 41 });
    const avs = series({ count: 20, seed: 42 }); // stopped after 9.5 min
    const [c, ...rest] = staleRule(makeInput({ source, avs }));
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ kind: "stale", severity: "warning", dedupeKey: `stale:${TUNNEL_ID}:avs`, details: { side: "avs", lastSampleAt: "2026-03-10T09:09:30.000Z", staleAfterSeconds: 90 } });
    expect(c!.message).toBe(
      "No telemetry from the AVS edge bridge since 2026-03-10T09:09:30.000Z (expected every 30 s). " +
        "The gateway or its agent may be down, or the agent cannot reach the console over HTTPS: check the agent's service and " +
        "log, its clock, and whether its token was rotated.",
    );
  });

  it("raises one condition per side when both are silent, each saying the tunnel's state is unknown", () => {
    const conditions = staleRule(makeInput({ ...healthyBoth(10), now: minutes(30) }));
    expect(conditions.map((c) => c.dedupeKey)).toEqual([`stale:${TUNNEL_ID}:source`, `stale:${TUNNEL_ID}:avs`]);
    expect(conditions.every((c) => c.message.endsWith("Neither end is reporting, so the tunnel's state is unknown."))).toBe(true);
  });

  it("treats an agent that never reported as info: a tunnel being set up, not a broken one", () => {
    const [c] = staleRule(makeInput({ source: series({ count: 10 }), avs: [] }));
    expect(c).toMatchObject({ severity: "info", dedupeKey: `stale:${TUNNEL_ID}:avs`, details: { lastSampleAt: null } });
    expect(c!.message).toMatch(/^The AVS edge bridge's telemetry agent has never reported\./);
  });

  it("uses the endpoint's lastSampleAt when the job passed no samples, and the stale-after override", () => {
    const input = makeInput({ now: minutes(10), lastSampleAt: { source: minutes(8), avs: minutes(9.9) } });
    expect(staleRule(input).map((c) => c.details.side)).toEqual(["source"]);
    const patient = makeInput({ now: minutes(10), lastSampleAt: { source: minutes(8), avs: minutes(9.9) }, overrides: { staleAfterIntervals: 5 } });
    expect(staleRule(patient)).toEqual([]);
  });
});
