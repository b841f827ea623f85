import type { TenantListParams } from "@/lib/queries/tenant-list";
import { SEGMENT_STATE, TENANT_STATE, TUNNEL_STATUS } from "@/lib/domain/status";
import { buttonClass, inputClass } from "@/components/forms/field";

/** A plain GET form: the filters land in the URL, so the browser's back button and links work. */
export function TenantFilters({ params, clouds }: { params: TenantListParams; clouds: { id: string; name: string }[] }) {
  return (
    <form method="get" role="search" aria-label="Filter tenants" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="q" className="block text-sm font-medium text-slate-700">
          Search
        </label>
        <input id="q" name="q" type="search" defaultValue={params.q} placeholder="Name, slug or subnet" className={inputClass} />
      </div>
      <div>
        <label htmlFor="state" className="block text-sm font-medium text-slate-700">
          State
        </label>
        <select id="state" name="state" defaultValue={params.state} className={inputClass}>
          <option value="all">All states</option>
          {Object.entries(TENANT_STATE).map(([value, style]) => (
            <option key={value} value={value}>
              {style.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="cloud" className="block text-sm font-medium text-slate-700">
          Private cloud
        </label>
        <select id="cloud" name="cloud" defaultValue={params.cloud ?? ""} className={inputClass}>
          <option value="">All private clouds</option>
          {clouds.map((cloud) => (
            <option key={cloud.id} value={cloud.id}>
              {cloud.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="tunnel" className="block text-sm font-medium text-slate-700">
          A tunnel is
        </label>
        <select id="tunnel" name="tunnel" defaultValue={params.tunnel ?? ""} className={inputClass}>
          <option value="">Any tunnel status</option>
          {Object.entries(TUNNEL_STATUS).map(([value, style]) => (
            <option key={value} value={value}>
              {style.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="segment" className="block text-sm font-medium text-slate-700">
          Segment
        </label>
        <select id="segment" name="segment" defaultValue={params.segment ?? ""} className={inputClass}>
          <option value="">Any segment state</option>
          {Object.entries(SEGMENT_STATE).map(([value, style]) => (
            <option key={value} value={value}>
              {style.label}
            </option>
          ))}
        </select>
      </div>
      <label className="flex items-center gap-2 self-center text-sm">
        <input type="checkbox" name="cutover" value="past" defaultChecked={params.cutover === "past"} />
        Past cut-over
      </label>
      <input type="hidden" name="sort" value={params.sort} />
      <input type="hidden" name="dir" value={params.dir} />
      <button type="submit" className={buttonClass}>
        Apply
      </button>
    </form>
  );
}
