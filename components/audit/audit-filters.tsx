import Link from "next/link";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { auditExportSearch } from "@/lib/validation/audit";

type Typed = { actor: string; action: string; tenant: string; from: string; to: string };

/**
 * The audit trail's filters as a plain GET form: the filter lives in the URL, so a link or a
 * bookmark shows the same events, and it works before any script has loaded. The exports take
 * the same query, so a download holds exactly the filtered events (every page of them).
 */
export function AuditFilters({ typed, errors, actions, tenants }: { typed: Typed; errors: Record<string, string[]>; actions: string[]; tenants: { slug: string; displayName: string }[] }) {
  // The download holds what is listed; none is offered while the tenant is in error (see auditExportSearch).
  const exports = (["csv", "jsonl"] as const).map((format) => ({ format, search: auditExportSearch(typed, errors, format) }));
  const filtered = Object.values(typed).some(Boolean);
  return (
    <section aria-labelledby="audit-filter-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="audit-filter-heading" className="sr-only">
        Filter the audit trail
      </h2>
      <form method="get" action="/admin/audit" className="grid grid-cols-2 gap-4 md:grid-cols-5">
        <Field id="actor" label="Who" errors={errors.actor}>
          {(props) => <input {...props} type="text" defaultValue={typed.actor} placeholder="alice@, token:, system" className={inputClass} />}
        </Field>
        <Field id="action" label="What" errors={errors.action}>
          {(props) => (
            <select {...props} defaultValue={typed.action} className={inputClass}>
              <option value="">Any action</option>
              {/* An action typed into the URL that the trail does not (yet) hold stays selectable. */}
              {[...new Set([...actions, ...(typed.action ? [typed.action] : [])])].sort().map((action) => (
                <option key={action} value={action}>
                  {action}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="tenant" label="Tenant" errors={errors.tenant}>
          {(props) => (
            <select {...props} defaultValue={typed.tenant} className={inputClass}>
              <option value="">Any tenant</option>
              {tenants.map((tenant) => (
                <option key={tenant.slug} value={tenant.slug}>
                  {tenant.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="from" label="From (UTC)" errors={errors.from}>
          {(props) => <input {...props} type="datetime-local" defaultValue={typed.from} className={inputClass} />}
        </Field>
        <Field id="to" label="Until (UTC)" errors={errors.to}>
          {(props) => <input {...props} type="datetime-local" defaultValue={typed.to} className={inputClass} />}
        </Field>
        <div className="col-span-2 flex flex-wrap items-center gap-3 md:col-span-5">
          <button type="submit" className={buttonClass}>
            Apply filters
          </button>
          {filtered && (
            <Link href="/admin/audit" className="text-sm text-sky-800 underline">
              Clear filters
            </Link>
          )}
          <span className="ml-auto flex gap-3 text-sm">
            {exports.map(({ format, search }) =>
              search === null ? null : (
                <a key={format} href={`/api/v1/audit/export?${search}`} className="rounded-md border border-slate-300 px-3 py-2 font-medium text-slate-800 hover:bg-slate-50">
                  {format === "csv" ? "Download CSV" : "Download JSON Lines"}
                </a>
              ),
            )}
            {errors.tenant && <span className="text-slate-600">Choose a tenant that exists to download.</span>}
          </span>
        </div>
      </form>
    </section>
  );
}
