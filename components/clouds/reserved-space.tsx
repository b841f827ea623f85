import { ReservedRangeForm } from "@/components/clouds/reserved-range-form";
import { RowActionButton } from "@/components/forms/row-action-button";
import { removeReservedRange } from "@/lib/actions/clouds/remove-reserved-range";
import type { ReservedKind, ReservedRange } from "@/lib/domain/reserved-space";

const SOURCE: Record<ReservedKind, string> = {
  management: "Azure (the private cloud's /22)",
  extended: "Azure (extended block)",
  platform: "Every AVS private cloud",
  admin: "Added by an admin",
};

type CloudSpace = { cloud: { id: string; name: string }; reserved: ReservedRange[] };

/** Each private cloud's documented reserved space, checked at onboarding and before a cut-over. */
export function ReservedSpace({ clouds, canChange }: { clouds: CloudSpace[]; canChange: boolean }) {
  return (
    <section aria-labelledby="reserved-heading" className="space-y-4">
      <h2 id="reserved-heading" className="text-xl font-bold tracking-tight">
        Reserved address space
      </h2>
      <p className="max-w-3xl text-sm text-slate-600">
        No tenant subnet may overlap these, of any mask: onboarding refuses one that does, naming the range, and the
        cut-over pre-checks look again. Azure&apos;s blocks come from the private cloud; the platform&apos;s ranges hold in
        every AVS private cloud; admins add their own (on-premises networks, hub VNets) with the reason.
      </p>
      {clouds.map(({ cloud, reserved }) => (
        <div key={cloud.id}>
          <table className="w-full table-fixed border-collapse overflow-hidden rounded-lg bg-white text-sm">
            <caption className="pb-2 text-left text-lg font-semibold">Reserved in {cloud.name}</caption>
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="w-40 px-3 py-2">Range</th>
                <th className="w-48 px-3 py-2">What</th>
                <th className="px-3 py-2">Why</th>
                <th className="w-52 px-3 py-2">From</th>
                {canChange && <th className="w-28 px-3 py-2"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {reserved.map((range) => (
                <tr key={`${range.kind}:${range.admin?.id ?? range.cidr}`} className="border-t border-slate-200 align-top">
                  <td className="whitespace-nowrap px-3 py-2 font-mono">{range.cidr}</td>
                  <td className="px-3 py-2">{range.kind === "admin" ? range.reason : range.label}</td>
                  <td className="px-3 py-2 text-slate-600">{range.kind === "admin" ? "Reserved by an admin." : range.reason}</td>
                  <td className="px-3 py-2">
                    {SOURCE[range.kind]}
                    {range.admin && (
                      <span className="block text-xs text-slate-500">
                        {range.admin.scope === "all" ? "for every private cloud" : "for this private cloud"}
                        {range.admin.addedBy ? `, by ${range.admin.addedBy}` : ""}
                      </span>
                    )}
                  </td>
                  {canChange && (
                    <td className="px-3 py-2 text-right">
                      {range.admin && (
                        <RowActionButton action={removeReservedRange} id={range.admin.id} label="Remove" confirm={`Stop reserving ${range.cidr} (“${range.reason}”)?`} />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {canChange && <ReservedRangeForm clouds={clouds.map(({ cloud }) => ({ id: cloud.id, name: cloud.name }))} />}
    </section>
  );
}
