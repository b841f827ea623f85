import { describe, expect, it } from "vitest";
import { TUNNEL_STATUSES } from "@/lib/domain/status";
import { tunnelHealth } from "./health";
import { evaluateTunnel } from "./rules/evaluate";
import { around, healthyBoth, type InputOptions, makeInput, runTimeline, series, T0, TENANT_ID, TUNNEL_ID } from "@/tests/support/rule-timeline";
import type { Condition, RuleInput } from "./rules/types";

const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);
const statusOf = (options: InputOptions) => {
  const input = makeInput(options);
  return tunnelHealth(input, evaluateTunnel(input), input.now);
};
const condition = (input: RuleInput, over: Partial<Condition>): Condition => ({
  kind: "loss",
  severity: "warning",
  dedupeKey: `x:${TUNNEL_ID}`,
  tenantId: TENANT_ID,
  tunnelId: TUNNEL_ID,
  message: "m",
  details: {},
  ...over,
});

describe("tunnelHealth", () => {
  it("is operational when both ends report within objective", () => {
    expect(statusOf(healthyBoth(30))).toBe("operational");
  });

  it("is degraded by loss, latency, MTU or a storm on this tunnel's path", () => {
    const lossy = series({ count: 30, loss: (i) => (i > 25 ? 3 : 0) });
    expect(statusOf({ source: lossy, avs: healthyBoth(30).avs })).toBe("degraded");
    const dfFailing = series({ count: 30, dfOk: (i) => i < 25 });
    expect(statusOf({ source: dfFailing, avs: healthyBoth(30).avs })).toBe("degraded");
    const storm = series({ count: 30, bum: (i, r) => (i > 24 ? around(r, 20_000, 1_000) : 30) });
    expect(statusOf({ source: storm, avs: healthyBoth(30).avs })).toBe("degraded");
  });

  it("is degraded, not stale or down, when exactly one side is silent and the other sees traffic", () => {
    expect(statusOf({ source: series({ count: 30 }), avs: series({ count: 20 }) })).toBe("degraded");
    // Even when the silent agent never reported (only an info condition): half the picture is not "operational".
    const input = makeInput({ source: series({ count: 30 }), avs: [] });
    expect(evaluateTunnel(input).map((c) => [c.kind, c.severity])).toEqual([["stale", "info"]]);
    expect(tunnelHealth(input, evaluateTunnel(input), input.now)).toBe("degraded");
  });

  it("is down when no traffic crosses, including when the far end has gone silent", () => {
    const outage = (seed: number) => series({ count: 30, seed, loss: (i) => (i >= 25 ? 100 : 0) });
    expect(statusOf({ source: outage(1), avs: outage(2) })).toBe("down");
    expect(statusOf({ source: outage(1), avs: series({ count: 25 }) })).toBe("down");
  });

  it("is stale when neither side has reported within three intervals, whatever the last samples said", () => {
    const outage = series({ count: 30, loss: () => 100 });
    expect(statusOf({ source: outage, avs: outage, now: minutes(20) })).toBe("stale");
    expect(statusOf({ now: minutes(1) })).toBe("stale");
  });

  it("is maintenance while maintenanceUntil is in the future, even if the tunnel is down or silent", () => {
    const outage = series({ count: 30, loss: () => 100 });
    expect(statusOf({ source: outage, avs: outage, tunnel: { maintenanceUntil: minutes(60) } })).toBe("maintenance");
    expect(statusOf({ now: minutes(30), tunnel: { maintenanceUntil: minutes(60) } })).toBe("maintenance");
    expect(statusOf({ ...healthyBoth(30), tunnel: { maintenanceUntil: minutes(14) } })).toBe("operational");
  });

  it("is not degraded by design or plan conditions, by info, or by another tunnel's trouble", () => {
    const input = makeInput(healthyBoth(30));
    const harmless: Condition[] = [
      condition(input, { kind: "single-point-of-failure", severity: "warning", tunnelId: null }),
      condition(input, { kind: "stretch-past-cutover", severity: "critical", tunnelId: null }),
      condition(input, { kind: "tromboning", severity: "warning", tunnelId: null }),
      condition(input, { kind: "stale", severity: "info" }),
      condition(input, { kind: "loss", severity: "critical", tunnelId: "tunnel-2" }),
      condition(input, { kind: "tunnel-down", severity: "critical", tunnelId: "tunnel-2" }),
    ];
    expect(tunnelHealth(input, harmless, input.now)).toBe("operational");
    expect(tunnelHealth(input, [...harmless, condition(input, { kind: "jitter" })], input.now)).toBe("degraded");
  });

  it("follows a tunnel through an hour's events: every status, in order", () => {
    // 0–10 min healthy; 10–15 loss 3 %; 15–20 down; 20–30 healthy; from 30 both agents silent; maintenance from 45.
    const loss = (i: number) => (i >= 20 && i < 30 ? 3 : i >= 30 && i < 40 ? 100 : 0);
    const alive = (i: number) => i < 60;
    const samples = {
      source: series({ count: 100, seed: 71, loss }).filter((_, i) => alive(i)),
      avs: series({ count: 100, seed: 72, loss }).filter((_, i) => alive(i)),
    };
    const { steps } = runTimeline(samples, {
      fromMinute: 0,
      toMinute: 49.5,
      input: (at) => ({ tunnel: { maintenanceUntil: at >= minutes(45) ? minutes(60) : null } }),
    });
    const runs: string[] = [];
    for (const s of steps) if (runs.at(-1) !== s.status) runs.push(s.status);
    expect(runs).toEqual(["operational", "degraded", "down", "operational", "stale", "maintenance"]);
    expect([...new Set(runs)].sort()).toEqual([...TUNNEL_STATUSES].sort());
    // Each change lags its event by openAfterConsecutive samples (1 min), or by the 90 s stale-after time
    // counted from the last sample at 29.5 min.
    const firstAt = (status: string) => steps.find((s) => s.status === status)!.minute;
    expect([firstAt("degraded"), firstAt("down"), firstAt("stale"), firstAt("maintenance")]).toEqual([11, 16, 31, 45]);
  });
});
