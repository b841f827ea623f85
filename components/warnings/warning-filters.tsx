import Link from "next/link";
import { buttonClass, inputClass } from "@/components/forms/field";
import { WARNING_SEVERITIES, WARNING_SEVERITY } from "@/lib/domain/status";
import { WARNING_KINDS } from "@/lib/domain/warning-kinds";
import type { WarningListParams } from "@/lib/queries/warnings";

/** The URL of the warnings page with these filters; empty ones are left out so links stay short. */
export function warningsHref(params: WarningListParams, changes: Partial<WarningListParams> = {}): string {
  const next = { ...params, ...changes };
  const query = new URLSearchParams();
  if (next.severity) query.set("severity", next.severity);
  if (next.kind) query.set("kind", next.kind);
  if (next.tenant) query.set("tenant", next.tenant);
  if (next.page > 1) query.set("page", String(next.page));
  const text = query.toString();
  return `/admin/warnings${text ? `?${text}` : ""}`;
}

/**
 * A plain GET form: the filters land in the URL, so they work without JavaScript, survive a
 * reload and can be linked to (the overview links to `?severity=critical`).
 */
export function WarningFilters({ params, tenants }: { params: WarningListParams; tenants: { slug: string; displayName: string; active: number }[] }) {
  // A tenant named in the URL stays selectable even when it has no active warnings left.
  const tenantOptions = params.tenant && !tenants.some((t) => t.slug === params.tenant) ? [...tenants, { slug: params.tenant, displayName: params.tenant, active: 0 }] : tenants;
  const filtered = Boolean(params.severity || params.kind || params.tenant);
  return (
    <form method="get" action="/admin/warnings" role="search" aria-label="Filter warnings" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="severity" className="block text-sm font-medium text-slate-700">
          WarningSeverity
        </label>
        <select id="severity" name="severity" defaultValue={params.severity ?? ""} className={inputClass}>
          <option value="">Any severity</option>
          {[...WARNING_SEVERITIES].reverse().map((severity) => (
            <option key={severity} value={severity}>
              {WARNING_SEVERITY[severity].label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="kind" className="block text-sm font-medium text-slate-700">
          Kind
        </label>
        <select id="kind" name="kind" defaultValue={params.kind ?? ""} className={inputClass}>
          <option value="">Any kind</option>
          {Object.entries(WARNING_KINDS).map(([kind, spec]) => (
            <option key={kind} value={kind}>
              {spec.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="tenant" className="block text-sm font-medium text-slate-700">
          Tenant
        </label>
        <select id="tenant" name="tenant" defaultValue={params.tenant ?? ""} className={inputClass}>
          <option value="">Any tenant</option>
          {tenantOptions.map((tenant) => (
            <option key={tenant.slug} value={tenant.slug}>
              {tenant.displayName} ({tenant.slug}){tenant.active > 0 ? ` · ${tenant.active}` : ""}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={buttonClass}>
        Apply
      </button>
      {filtered && (
        <Link href="/admin/warnings" className="self-center text-sm text-sky-800 underline">
          Clear filters
        </Link>
      )}
    </form>
  );
}
