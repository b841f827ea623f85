import { describe, expect, it } from "vitest";
import { RETENTION } from "@/lib/telemetry/retention";
import { fixedRange, parseInstant, rangeSearch, readRangeParams, resolveRange, TIME_RANGE_LIMITS, TimeRangeError, zoomRange } from "./time-range";

const NOW = Date.parse("2026-12-05T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("parseInstant", () => {
  it.each([
    ["2026-12-04T10:00Z", "2026-12-04T10:00:00.000Z"],
    ["2026-12-04T10:00:30.250Z", "2026-12-04T10:00:30.250Z"],
    ["2026-12-04T10:00", "2026-12-04T10:00:00.000Z"], // no offset: UTC, as the axes
    ["2026-12-04 10:00", "2026-12-04T10:00:00.000Z"],
    ["2026-12-04", "2026-12-04T00:00:00.000Z"],
    ["2026-12-04T11:00+01:00", "2026-12-04T10:00:00.000Z"],
    ["2026-12-04T05:30-0430", "2026-12-04T10:00:00.000Z"],
    ["2026-12-04t10:00z", "2026-12-04T10:00:00.000Z"],
  ])("reads the absolute time %s", (text, iso) => {
    expect(new Date(parseInstant(text, NOW)).toISOString()).toBe(iso);
  });

  it("reads times relative to now and epoch milliseconds", () => {
    expect(parseInstant("now", NOW)).toBe(NOW);
    expect(parseInstant(" NOW ", NOW)).toBe(NOW);
    expect(parseInstant("now-90m", NOW)).toBe(NOW - 90 * 60_000);
    expect(parseInstant("now-6h", NOW)).toBe(NOW - 6 * HOUR);
    expect(parseInstant("now-7d", NOW)).toBe(NOW - 7 * DAY);
    expect(parseInstant("now-2w", NOW)).toBe(NOW - 14 * DAY);
    expect(parseInstant("now+1h", NOW)).toBe(NOW + HOUR);
    expect(parseInstant("1764936000000", NOW)).toBe(1764936000000);
  });

  it.each([
    ["", /from is empty/],
    ["yesterday", /from "yesterday" is not a time/],
    ["2026-02-30T10:00Z", /not a date and time that exists/],
    ["2026-12-04T24:00Z", /not a date and time that exists/],
    ["2026-12-04T10:61Z", /not a date and time that exists/],
    ["2026-13-01", /not a date and time that exists/],
    ["now-6x", /is not a time/],
    ["now - 6h", /is not a time/],
    ["2026-12-04T10:00+25:00", /is not a time/],
    ["=cmd|' /C calc'!A0", /is not a time/],
    ["12345", /is not a time/], // too short for epoch ms: surely a typo
  ])("refuses %j, naming the parameter and what to write", (text, message) => {
    const attempt = () => parseInstant(text, NOW, "from");
    expect(attempt).toThrow(TimeRangeError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/ISO 8601/);
  });
});

describe("readRangeParams", () => {
  it("defaults to the 24-hour preset and reads presets and custom pairs", () => {
    expect(readRangeParams({})).toEqual({ preset: "24h" });
    expect(readRangeParams({ range: "6h" })).toEqual({ preset: "6h" });
    expect(readRangeParams({ from: "now-3h", to: "now-1h" })).toEqual({ from: "now-3h", to: "now-1h" });
    expect(readRangeParams({ from: "now-3h" })).toEqual({ from: "now-3h", to: "now" });
  });

  it("refuses an unknown preset, both forms at once and a range without a start", () => {
    expect(() => readRangeParams({ range: "5y" })).toThrow(/range "5y" is not known: use one of 1h, 6h, 24h, 7d, 30d/);
    expect(() => readRangeParams({ range: "6h", from: "now-1h" })).toThrow(/either range or from and to/);
    expect(() => readRangeParams({ to: "now" })).toThrow(/from is missing/);
    expect(() => readRangeParams({ range: "constructor" })).toThrow(/not known/);
  });
});

describe("resolveRange", () => {
  it("turns a preset into a live window ending now", () => {
    expect(resolveRange({ preset: "6h" }, NOW)).toEqual({ from: NOW - 6 * HOUR, to: NOW, live: true, clamped: false, spoken: "the last 6 hours", axis: "time" });
    expect(resolveRange({ preset: "7d" }, NOW).axis).toBe("date");
  });

  it("keeps a fixed window exactly, not live, in words with both ends", () => {
    const window = resolveRange({ from: "2026-12-04T10:00Z", to: "2026-12-04T12:30Z" }, NOW);
    expect(window).toMatchObject({ from: Date.parse("2026-12-04T10:00Z"), to: Date.parse("2026-12-04T12:30Z"), live: false, clamped: false, axis: "time" });
    expect(window.spoken).toMatch(/^.*10:00.* to .*12:30.*UTC$/);
  });

  it("is live (slides and refreshes) when its end is written relative to now or lies past now", () => {
    expect(resolveRange({ from: "now-3h", to: "now" }, NOW)).toMatchObject({ from: NOW - 3 * HOUR, to: NOW, live: true, clamped: false });
    expect(resolveRange({ from: "now-3h", to: "now+1h" }, NOW)).toMatchObject({ to: NOW, live: true, clamped: true });
    expect(resolveRange({ from: "now-3h", to: "now-1h" }, NOW)).toMatchObject({ to: NOW - HOUR, live: true });
  });

  it("moves a start before the oldest history kept up to it, and says so", () => {
    const window = resolveRange({ from: "now-420d", to: "now-300d" }, NOW);
    expect(window).toMatchObject({ from: NOW - TIME_RANGE_LIMITS.historyMs, to: NOW - 300 * DAY, clamped: true, axis: "date" });
  });

  it.each([
    [{ from: "now-1h", to: "now-2h" }, /must be before to .*swap them/],
    [{ from: "2026-12-04T10:00Z", to: "2026-12-04T10:00Z" }, /must be before to/],
    [{ from: "now-30s", to: "now" }, /is not a time/],
    [{ from: "2026-12-04T10:00:00Z", to: "2026-12-04T10:00:30Z" }, /spans 30 s; make it at least 1 minute/],
    [{ from: "now-500d", to: "now" }, /spans 500 days; at most 400 days/],
    [{ from: "2020-01-01", to: "2020-02-01" }, /before the oldest history kept/],
    [{ from: "now+1h", to: "now+2h" }, /after now/],
    [{ from: "now-30s", to: "now+1h" }, /is not a time/],
  ])("refuses %j with a message saying what to change", (spec, message) => {
    expect(() => resolveRange(spec, NOW)).toThrow(TimeRangeError);
    expect(() => resolveRange(spec, NOW)).toThrow(message);
  });

  it("refuses a window of which less than a minute lies before now", () => {
    expect(() => resolveRange({ from: new Date(NOW - 20_000).toISOString(), to: "now+1h" }, NOW)).toThrow(/Less than 1 minute/);
  });

  it("keeps as much history as the hourly roll-ups do", () => {
    expect(TIME_RANGE_LIMITS.historyMs).toBe(RETENTION.hourMs);
  });
});

describe("rangeSearch and fixedRange", () => {
  it("round-trip through the URL: what is written reads back the same window", () => {
    const zoom = fixedRange(Date.parse("2026-12-04T10:00:00.400Z"), Date.parse("2026-12-04T11:00Z"));
    const search = new URLSearchParams(rangeSearch(zoom));
    const read = readRangeParams({ range: search.get("range"), from: search.get("from"), to: search.get("to") });
    expect(resolveRange(read, NOW)).toMatchObject({ from: Date.parse("2026-12-04T10:00:00.400Z"), to: Date.parse("2026-12-04T11:00Z"), live: false });
    expect(rangeSearch({ preset: "1h" })).toBe("range=1h");
  });
});

describe("zoomRange", () => {
  const hour = { from: NOW - 3_600_000, to: NOW };

  it("keeps a drag wider than a minute as dragged", () => {
    expect(zoomRange(NOW - 1_800_000, NOW - 600_000, hour)).toEqual(fixedRange(NOW - 1_800_000, NOW - 600_000));
  });

  it("widens a narrow drag to a minute around its middle", () => {
    expect(zoomRange(NOW - 1_810_000, NOW - 1_800_000, hour)).toEqual(fixedRange(NOW - 1_835_000, NOW - 1_775_000));
  });

  it("widens a narrow drag at a live chart's right edge inward, so the range can still be shown a moment later", () => {
    // Widened around its middle it would end 25 s after now, and the 35 s before now are less than a minute.
    const zoom = zoomRange(NOW - 10_000, NOW, hour);
    expect(zoom).toEqual(fixedRange(NOW - 60_000, NOW));
    expect(resolveRange(zoom, NOW + 1_000)).toMatchObject({ from: NOW - 60_000, to: NOW, live: false });
  });

  it("widens a narrow drag at the chart's left edge inward too", () => {
    expect(zoomRange(hour.from, hour.from + 5_000, hour)).toEqual(fixedRange(hour.from, hour.from + 60_000));
  });
});
