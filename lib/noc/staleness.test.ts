import { describe, expect, it } from "vitest";
import { describeRefreshError, formatAge, servedAgeMs, staleReasons, type StalenessInput } from "./staleness";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const fresh: StalenessInput = {
  now: NOW,
  lastSuccessAt: NOW - 5_000,
  refreshIntervalMs: 15_000,
  refreshError: null,
  generatedAt: new Date(NOW - 5_000).toISOString(),
  newestSampleAt: new Date(NOW - 20_000).toISOString(),
  sampleIntervalMs: 30_000,
  tunnelCount: 10,
  servedAgeMs: 0,
};

describe("formatAge", () => {
  it.each([
    [0, "0 s"],
    [59_999, "59 s"],
    [60_000, "1 min"],
    [3 * 60_000 + 40_000, "3 min"],
    [2 * 3600_000, "2 h"],
    [2 * 3600_000 + 5 * 60_000, "2 h 5 min"],
    [3 * 86400_000 + 4 * 3600_000, "3 d 4 h"],
    [-5, "0 s"],
    [Number.NaN, "0 s"],
  ])("%s ms reads %s", (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe("staleReasons", () => {
  it("is quiet while refreshes succeed and agents report", () => {
    expect(staleReasons(fresh)).toEqual([]);
  });

  it("tolerates one missed refresh, then says how old the data is and why", () => {
    expect(staleReasons({ ...fresh, lastSuccessAt: NOW - 29_000, refreshError: "/api/v1/noc answered 502" })).toEqual([]);
    expect(staleReasons({ ...fresh, lastSuccessAt: NOW - 3 * 60_000, refreshError: "/api/v1/noc answered 502" })).toContainEqual({
      kind: "refresh",
      message: "Data stale: last update 3 min ago (/api/v1/noc answered 502)",
    });
  });

  it("reports silent agents even when the console answers on time", () => {
    const reasons = staleReasons({ ...fresh, newestSampleAt: new Date(NOW - 5_000 - 2 * 60_000).toISOString() });
    expect(reasons).toEqual([{ kind: "telemetry", message: "No telemetry for 2 min" }]);
  });

  it("measures telemetry age on the server's clock, so a wall PC with a wrong clock changes nothing", () => {
    const skewed = { ...fresh, now: fresh.now + 3600_000, lastSuccessAt: fresh.lastSuccessAt + 3600_000 };
    expect(staleReasons(skewed)).toEqual([]);
  });

  it("adds the time since the last good answer to the telemetry age while refreshes fail", () => {
    const answeredAt = NOW - 10 * 60_000;
    const reasons = staleReasons({
      ...fresh,
      lastSuccessAt: answeredAt,
      generatedAt: new Date(answeredAt).toISOString(),
      newestSampleAt: new Date(answeredAt - 15_000).toISOString(),
    });
    expect(reasons.map((r) => r.kind)).toEqual(["refresh", "telemetry"]);
    expect(reasons[1]!.message).toBe("No telemetry for 10 min");
  });

  it("says when no agent has ever reported, but not for an empty fleet", () => {
    expect(staleReasons({ ...fresh, newestSampleAt: null })).toEqual([{ kind: "telemetry", message: "No telemetry received from any agent yet" }]);
    expect(staleReasons({ ...fresh, newestSampleAt: null, tunnelCount: 0 })).toEqual([]);
  });

  it("stays quiet while the first load is still on its way", () => {
    expect(staleReasons({ ...fresh, lastSuccessAt: 0, generatedAt: null, refreshError: null })).toEqual([]);
  });

  it("says there is no data yet when the first load failed", () => {
    expect(staleReasons({ ...fresh, lastSuccessAt: 0, generatedAt: null, refreshError: "network error" })).toEqual([
      { kind: "refresh", message: "No data yet (network error)" },
    ]);
  });
});

describe("describeRefreshError", () => {
  it.each([
    [null, null],
    [Object.assign(new Error("x"), { status: 401 }), "this display is signed out: open its link again"],
    [Object.assign(new Error("x"), { status: 403 }), "this account may not view the wall"],
    [Object.assign(new Error("x"), { status: 502 }), "the console answered 502"],
    [new DOMException("timed out", "TimeoutError"), "the console did not answer in time"],
    [new TypeError("Failed to fetch"), "the console cannot be reached"],
  ])("%o reads %s", (error, text) => expect(describeRefreshError(error)).toBe(text));
});

describe("the age a kept snapshot had when it was served", () => {
  it("raises the telemetry banner on time although the server served a snapshot read 18 s before", () => {
    // Read 45 s after the newest sample, served 18 s later (Age: 18), arrived just now: the agents
    // have been silent for 63 s, past two intervals, though generatedAt alone says 45 s.
    const kept = { ...fresh, lastSuccessAt: NOW, generatedAt: new Date(NOW - 18_000).toISOString(), newestSampleAt: new Date(NOW - 63_000).toISOString() };
    expect(staleReasons({ ...kept, servedAgeMs: 18_000 })).toEqual([{ kind: "telemetry", message: "No telemetry for 1 min" }]);
    // The same answer served the moment it was read is within the limit.
    expect(staleReasons({ ...kept, servedAgeMs: 0, generatedAt: new Date(NOW).toISOString(), newestSampleAt: new Date(NOW - 45_000).toISOString() })).toEqual([]);
  });

  it.each<[string | null, number]>([
    ["18", 18_000],
    ["0", 0],
    [" 7 ", 7_000],
    [null, 0],
    ["", 0],
    ["-3", 0],
    ["1.5", 0],
    ["soon", 0],
  ])("reads Age: %j as %i ms (anything not a whole number of seconds counts as no age)", (header, ms) => {
    expect(servedAgeMs(header)).toBe(ms);
  });
});
