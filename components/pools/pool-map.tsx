import { Fragment } from "react";
import { VLAN_STATE, type VlanState } from "@/lib/domain/status";
import type { PoolMapCell } from "@/lib/domain/vlan";

/** Only the fill: the legend and the holder table carry the words. */
const CELL_FILL: Record<VlanState, string> = {
  free: "bg-white",
  allocated: "bg-sky-700",
  quarantined: "bg-amber-400",
  reserved: "bg-slate-500",
  outside: "bg-slate-200",
};

/** All 4094 IDs, 64 to a row, so a row starts at a multiple of 64 and a glance finds any ID. */
export function PoolMap({ cells, counts }: { cells: PoolMapCell[]; counts: Record<VlanState, number> }) {
  return (
    <div className="space-y-3">
      <ul aria-label="VLAN states" className="flex flex-wrap gap-4 text-sm">
        {(Object.keys(VLAN_STATE) as VlanState[]).map((state) => (
          <li key={state} className="flex items-center gap-2">
            <span aria-hidden className={`inline-block h-3 w-3 border border-slate-300 ${CELL_FILL[state]}`} />
            {VLAN_STATE[state].label}
            <span className="font-semibold tabular-nums" data-testid={`count-${state}`}>
              {counts[state]}
            </span>
          </li>
        ))}
      </ul>
      <div
        role="img"
        aria-label={`VLAN pool map: ${counts.allocated} allocated, ${counts.quarantined} quarantined, ${counts.free} free, ${counts.reserved} reserved`}
        className="grid w-fit grid-cols-[2.5rem_repeat(64,0.6rem)] gap-px text-[0.55rem] leading-[0.6rem] text-slate-500"
      >
        {cells.map((cell, index) => (
          <Fragment key={cell.vlanId}>
            {/* Row labels: the first ID of each row of 64 (IDs start at 1). */}
            {index % 64 === 0 && <span className="pr-1 text-right tabular-nums">{cell.vlanId}</span>}
            <span
              className={`h-[0.6rem] outline outline-1 outline-slate-300 ${CELL_FILL[cell.state]}`}
              title={cell.tenant ? `VLAN ${cell.vlanId}: ${VLAN_STATE[cell.state].label.toLowerCase()}, ${cell.tenant}` : undefined}
            />
          </Fragment>
        ))}
      </div>
    </div>
  );
}
