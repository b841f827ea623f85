import Link from "next/link";
import { StatusBadge } from "@/components/status-badge";
import { SEGMENT_STATE, TENANT_STATE } from "@/lib/domain/status";
import type { listTenants, TenantListParams } from "@/lib/queries/tenant-list";

type Rows = Awaited<ReturnType<typeof listTenants>>["rows"];

export function hrefWith(params: TenantListParams, changes: Partial<TenantListParams>): string {
  const next = { ...params, ...changes };
  const query = new URLSearchParams();
  if (next.q) query.set("q", next.q);
  if (next.state !== "all") query.set("state", next.state);
  if (next.cloud) query.set("cloud", next.cloud);
  if (next.tunnel) query.set("tunnel", next.tunnel);
  if (next.segment) query.set("segment", next.segment);
  if (next.cutover) query.set("cutover", next.cutover);
  if (next.sort !== "name") query.set("sort", next.sort);
  if (next.dir !== "asc") query.set("dir", next.dir);
  if (next.page !== 1) query.set("page", String(next.page));
  const text = query.toString();
  return `/admin/tenants${text ? `?${text}` : ""}`;
}

function SortHeader({ params, sort, label }: { params: TenantListParams; sort: TenantListParams["sort"]; label: string }) {
  const active = params.sort === sort;
  const dir = active && params.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" className="px-3 py-2" aria-sort={active ? (params.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link href={hrefWith(params, { sort, dir, page: 1 })} className="hover:underline">
        {label}
        {active && <span aria-hidden> {params.dir === "asc" ? "▲" : "▼"}</span>}
      </Link>
    </th>
  );
}

export function TenantTable({ rows, params }: { rows: Rows; params: TenantListParams }) {
  if (rows.length === 0) {
    return <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No tenant matches these filters.</p>;
  }
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
      <caption className="sr-only">Tenants</caption>
      <thead className="bg-slate-100 text-left">
        <tr>
          <SortHeader params={params} sort="name" label="Tenant" />
          <th scope="col" className="px-3 py-2">Private cloud</th>
          <SortHeader params={params} sort="vlan" label="VLAN" />
          <th scope="col" className="px-3 py-2">VNI</th>
          <th scope="col" className="px-3 py-2">Subnet</th>
          <th scope="col" className="px-3 py-2">State</th>
          <th scope="col" className="px-3 py-2">Segment</th>
          <SortHeader params={params} sort="cutover" label="Cut-over" />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} className="border-t border-slate-200">
            <td className="px-3 py-2">
              <Link href={`/t/${row.slug}`} className="font-medium text-sky-800 hover:underline">
                {row.displayName}
              </Link>
              <span className="block font-mono text-xs text-slate-500">{row.slug}</span>
            </td>
            <td className="px-3 py-2">{row.privateCloud}</td>
            <td className="px-3 py-2 tabular-nums">
              {row.vlanId ?? "—"}
              {row.vlanState === "quarantined" && <span className="ml-1 text-xs text-amber-800">(quarantined)</span>}
            </td>
            <td className="px-3 py-2 tabular-nums">{row.vni ?? "—"}</td>
            <td className="px-3 py-2 font-mono">{row.subnet}</td>
            <td className="px-3 py-2">
              <StatusBadge status={TENANT_STATE[row.state]} />
            </td>
            <td className="px-3 py-2">{row.segmentState ? <StatusBadge status={SEGMENT_STATE[row.segmentState]} /> : "—"}</td>
            <td className="px-3 py-2 tabular-nums">{row.plannedCutoverOn ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
