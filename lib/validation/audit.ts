/**
 * The audit trail's filters, one vocabulary for the console's page, the API's list and its
 * export: who (part of the actor's name), what (an action), which tenant, and a time window.
 */
import { z } from "zod";

const TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;
const TIME_MESSAGE = "A time such as 2026-12-05T08:00 (UTC unless it names its offset), or a date.";

/** A time as the browser's date-time field sends it ("2026-12-05T08:00", read as UTC, as the trail shows times) or ISO 8601 with an offset. */
export const auditTime = z
  .string()
  .trim()
  .regex(TIME, TIME_MESSAGE)
  .transform((text, ctx) => {
    const zoned = /(?:Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text.length === 10 ? `${text}T00:00` : text}Z`;
    const at = new Date(zoned);
    // Date rolls 30 February over into March; a day the calendar lacks is a typo.
    const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (Number.isNaN(at.getTime()) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
      ctx.addIssue({ code: "custom", message: TIME_MESSAGE });
      return z.NEVER;
    }
    // PostgreSQL has no year 0 and refuses the query (a 500 for a typo); nothing in the trail
    // predates 1970 either, so older years are refused here with a message instead.
    if (year < 1970) {
      ctx.addIssue({ code: "custom", message: "A time from 1970 on; the trail holds nothing older." });
      return z.NEVER;
    }
    return at;
  });

export const auditAction = z.string().trim().max(60).regex(/^[a-z0-9.-]+$/, "An action such as tenant.onboard.");

export const auditFilterFields = {
  action: auditAction.optional().describe("exactly this action, e.g. tenant.onboard"),
  actor: z.string().trim().min(1, "At least one character.").max(200, "At most 200 characters.").optional().describe("who: part of the actor's name, any case (a sign-in name, token:…, display:…, system)"),
  from: auditTime.optional().describe("events at or after this time (UTC unless an offset is given)"),
  to: auditTime.optional().describe("events before this time (UTC unless an offset is given)"),
};

/** A window that ends before it starts is a typo, not a request for nothing. */
export function auditRangeError(filter: { from?: Date; to?: Date }): Record<string, string[]> | null {
  if (filter.from && filter.to && filter.from >= filter.to) return { to: ["Must be after the start of the window."] };
  return null;
}

const tenantSlug = z.string().trim().toLowerCase().max(40).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "A tenant's slug, e.g. contoso.");

export type AuditPageFilter = { action?: string; actor?: string; tenant?: string; from?: Date; to?: Date };
const PAGE_FIELDS = ["action", "actor", "tenant", "from", "to"] as const;

/**
 * The audit page's URL, read field by field: a bad field is named beside its input and left out
 * of the filter, the rest still apply, and the values typed are kept (the form shows them back).
 * Empty fields, as a plain GET form sends them, are absent.
 */
export function readAuditPageFilter(params: Record<string, string | string[] | undefined>): { filter: AuditPageFilter; typed: Record<(typeof PAGE_FIELDS)[number], string>; errors: Record<string, string[]> } {
  const schemas = { ...auditFilterFields, tenant: tenantSlug.optional() };
  const filter: Record<string, unknown> = {};
  const typed = {} as Record<(typeof PAGE_FIELDS)[number], string>;
  const errors: Record<string, string[]> = {};
  for (const field of PAGE_FIELDS) {
    const raw = params[field];
    const text = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? "";
    typed[field] = text;
    if (text === "") continue;
    const parsed = schemas[field].safeParse(text);
    if (parsed.success) filter[field] = parsed.data;
    else errors[field] = parsed.error.issues.map((issue) => issue.message);
  }
  const range = auditRangeError(filter as AuditPageFilter);
  if (range) {
    Object.assign(errors, range);
    delete filter.to;
  }
  return { filter: filter as AuditPageFilter, typed, errors };
}

/** The query string of a filter as typed, for links that keep it (pages, exports); empty fields left out. */
export function auditFilterSearch(typed: Partial<Record<string, string>>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...typed, ...extra })) if (value) params.set(key, value);
  return params.toString();
}

/**
 * The export link's query: the fields the list applies (a bad one is named and left out of both),
 * so the download holds what is listed. Null while the tenant is in error: the list then shows
 * nothing, and an export without the tenant would hold every tenant's events instead.
 */
export function auditExportSearch(typed: Partial<Record<string, string>>, errors: Record<string, string[]>, format: "csv" | "jsonl"): string | null {
  if (errors.tenant) return null;
  const applied = Object.fromEntries(Object.entries(typed).filter(([field]) => !errors[field]));
  return auditFilterSearch(applied, { format });
}
