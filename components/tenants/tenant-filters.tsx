import type { TenantListParams } from "@/lib/queries/tenant-list";
import { SEGMENT_STATE, TENANT_STATE, TUNNEL_STATUS, type StatusStyle } from "@/lib/domain/status";
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
      <StatusSelect name="state" label="State" any={{ value: "all", label: "All states" }} value={params.state} statuses={TENANT_STATE} />
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
      <StatusSelect name="tunnel" label="A tunnel is" any={{ value: "", label: "Any tunnel status" }} value={params.tunnel ?? ""} statuses={TUNNEL_STATUS} />
      <StatusSelect name="segment" label="Segment" any={{ value: "", label: "Any segment state" }} value={params.segment ?? ""} statuses={SEGMENT_STATE} />
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

/** One filter over a status table: its words are the table's labels, so they match every view. */
function StatusSelect({
  name,
  label,
  any,
  value,
  statuses,
}: {
  name: string;
  label: string;
  any: { value: string; label: string };
  value: string;
  statuses: Record<string, StatusStyle>;
}) {
  return (
    <div>
      <label htmlFor={name} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select id={name} name={name} defaultValue={value} className={inputClass}>
        <option value={any.value}>{any.label}</option>
        {Object.entries(statuses).map(([key, style]) => (
          <option key={key} value={key}>
            {style.label}
          </option>
        ))}
      </select>
    </div>
  );
}
