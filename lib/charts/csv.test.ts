import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { chartCsv, chartCsvName, chartCsvRows } from "./csv";

const T = Date.parse("2026-12-05T10:00:00Z");
const window = { from: T, to: T + 120_000 };

describe("chartCsv", () => {
  it("holds one row per point inside the window, per line, with gaps as empty values", () => {
    const lines = [
      { label: "Measured from the source gateway", points: [{ x: T - 60_000, y: 9 }, { x: T, y: 12.5 }, { x: T + 60_000, y: null }, { x: T + 120_000, y: 13 }] },
      { label: "Measured from the AVS edge bridge", points: [{ x: T + 30_000, y: 14 }, { x: T + 180_000, y: 15 }] },
    ];
    expect(chartCsvRows(lines, "ms", window)).toEqual([
      ["2026-12-05T10:00:00.000Z", "Measured from the source gateway", "12.5", "ms"],
      ["2026-12-05T10:01:00.000Z", "Measured from the source gateway", "", "ms"],
      ["2026-12-05T10:02:00.000Z", "Measured from the source gateway", "13", "ms"],
      ["2026-12-05T10:00:30.000Z", "Measured from the AVS edge bridge", "14", "ms"],
    ]);
    const parsed = parse(chartCsv(lines, "ms", window)) as string[][];
    expect(parsed[0]).toEqual(["time_utc", "series", "value", "unit"]);
    expect(parsed).toHaveLength(5);
  });

  it("defuses a series name a spreadsheet would run as a formula, and quotes commas and quotes", () => {
    const lines = [{ label: '=HYPERLINK("http://x","a,b")', points: [{ x: T, y: 1 }] }];
    const parsed = parse(chartCsv(lines, "ms", window)) as string[][];
    expect(parsed[1]![1]).toBe(`'=HYPERLINK("http://x","a,b")`);
  });
});

describe("chartCsvName", () => {
  it("says what and when, with nothing a file system reads as a path", () => {
    expect(chartCsvName(["contoso", "../primary", "Round-trip time"], window)).toBe("contoso_primary_round-trip-time_2026-12-05T1000_2026-12-05T1002.csv");
  });
});
