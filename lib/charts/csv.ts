/**
 * What a chart shows, as a CSV file: one row per point of each line, in the line's order and
 * time order, for the chart's window only. Long form (time, series, value, unit) rather than a
 * column per line: the lines of one chart are sampled at different instants (each end's agent
 * keeps its own clock), and a wide table would invent empty cells or merge what was not
 * measured together. Pure, so the export is tested rather than hoped for.
 *
 * Series names can carry names a person chose (a tunnel's name in a comparison): a cell starting
 * with = + - @ would run as a formula in a spreadsheet, so, as in the audit export, such a cell
 * gets a leading ' (OWASP's advice for CSV injection).
 */
import { stringify } from "csv-stringify/browser/esm/sync";
import type { XY } from "./downsample";

export const CHART_CSV_HEADER = ["time_utc", "series", "value", "unit"] as const;

export type CsvLine = { label: string; points: readonly XY[] };

/** The rows a chart's CSV holds: every point inside [from, to], a gap as an empty value. */
export function chartCsvRows(lines: readonly CsvLine[], unit: string, window: { from: number; to: number }): string[][] {
  return lines.flatMap((line) =>
    line.points
      .filter((p) => p.x >= window.from && p.x <= window.to)
      .map((p) => [new Date(p.x).toISOString(), line.label, p.y === null || !Number.isFinite(p.y) ? "" : String(p.y), unit]),
  );
}

export function chartCsv(lines: readonly CsvLine[], unit: string, window: { from: number; to: number }): string {
  return stringify([[...CHART_CSV_HEADER], ...chartCsvRows(lines, unit, window)], { escape_formulas: true });
}

/** A file name that says what and when, with nothing a file system could take for a path. */
export function chartCsvName(parts: readonly string[], window: { from: number; to: number }): string {
  const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace(/[:]/g, "");
  const words = parts.map((part) => part.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")).filter(Boolean);
  return `${[...words, stamp(window.from), stamp(window.to)].join("_")}.csv`;
}
