/**
 * Bulk onboarding's input: a CSV (one tenant a row, a header naming the columns) or JSON rows,
 * turned into the plain objects the onboarding schema validates. Pure: no database here.
 */
import { parse } from "csv-parse/sync";

export const MAX_BULK_ROWS = 1000;

/** dry-run: report, write nothing; all-or-nothing: commit only if every row succeeds; per-row: commit those that do. */
export const BULK_MODES = ["dry-run", "all-or-nothing", "per-row"] as const;
export type BulkMode = (typeof BULK_MODES)[number];

/** The columns a CSV may have; contacts come as contactName/contactEmail/contactPhone (one contact). */
export const BULK_COLUMNS = [
  "privateCloudId",
  "slug",
  "displayName",
  "contactName",
  "contactEmail",
  "contactPhone",
  "sourceEnvironment",
  "transport",
  "encapsulation",
  "subnet",
  "gatewayLocation",
  "underlayMtu",
  "sourceGatewayUnderlayIp",
  "latencyObjectiveMs",
  "plannedCutoverOn",
  "vlan",
  "vni",
] as const;

export type BulkParse = { ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string };

/** CSV text → row objects. Empty cells are left out, so the schema's defaults apply. */
export function parseBulkCsv(text: string): BulkParse {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (error) {
    return { ok: false, error: `The CSV does not parse: ${(error as Error).message}` };
  }
  const [header, ...lines] = records;
  if (!header) return { ok: false, error: "The CSV is empty: send a header row and one row per tenant." };
  const unknown = header.filter((name) => !(BULK_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) return { ok: false, error: `Unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => `“${c}”`).join(", ")}; the columns are ${BULK_COLUMNS.join(", ")}.` };
  const repeated = header.find((name, i) => header.indexOf(name) !== i);
  if (repeated !== undefined) return { ok: false, error: `The header names the column “${repeated}” twice; keep one.` };
  if (lines.length === 0) return { ok: false, error: "No rows: the CSV has a header but no tenant under it." };
  if (lines.length > MAX_BULK_ROWS) return { ok: false, error: `At most ${MAX_BULK_ROWS} rows at a time; this file has ${lines.length}.` };
  return {
    ok: true,
    rows: lines.map((cells) => {
      const cell = Object.fromEntries(header.map((name, i) => [name, cells[i]]).filter(([, value]) => value !== undefined && value !== ""));
      const { contactName, contactEmail, contactPhone, ...rest } = cell as Record<string, string | undefined>;
      const contact = contactName || contactEmail ? [{ name: contactName ?? "", email: contactEmail ?? "", ...(contactPhone ? { phone: contactPhone } : {}) }] : undefined;
      return { ...rest, ...(contact ? { contacts: contact } : {}) };
    }),
  };
}

/** JSON: `{ "rows": [...] }` or a bare array of onboarding objects. */
export function parseBulkJson(value: unknown): BulkParse {
  const rows = Array.isArray(value) ? value : value && typeof value === "object" && Array.isArray((value as { rows?: unknown }).rows) ? (value as { rows: unknown[] }).rows : null;
  if (!rows) return { ok: false, error: 'Send { "rows": [ … ] }: one onboarding object per tenant.' };
  if (rows.length === 0) return { ok: false, error: "No rows: send at least one tenant." };
  if (rows.length > MAX_BULK_ROWS) return { ok: false, error: `At most ${MAX_BULK_ROWS} rows at a time; this request has ${rows.length}.` };
  return { ok: true, rows: rows.map((row) => (row && typeof row === "object" ? (row as Record<string, unknown>) : {})) };
}
