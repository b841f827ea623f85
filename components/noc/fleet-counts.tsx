import { TUNNEL_STATUS, TUNNEL_STATUSES, WARNING_SEVERITY, type TunnelStatus, type WarningSeverity } from "@/lib/domain/status";
import { WALL_STATUS_CLASS } from "./wall-colours";

/** A count of nothing: readable, but not a colour that draws the eye. */
const QUIET = "bg-gray-200 text-gray-800 dark:bg-gray-900 dark:text-gray-300";

// Worst first, the order the eye should meet them in.
const WARNING_ORDER: WarningSeverity[] = ["critical", "warning", "info"];

/**
 * Tunnels by status and open warnings by severity: the wall's one polite live region besides
 * the stale banner, so a screen reader hears when the numbers move, not every tile.
 * Null counts (before the first snapshot) draw placeholders.
 */
export function FleetCounts({
  counts,
  warningCounts,
}: {
  counts: Record<TunnelStatus, number> | null;
  warningCounts: Record<WarningSeverity, number> | null;
}) {
  return (
    <div aria-live="polite" className="flex min-w-0 items-stretch gap-[0.5em]">
      <ul aria-label="Tunnels by status" className="flex gap-[0.3em]">
        {TUNNEL_STATUSES.map((status) => {
          const n = counts ? counts[status] : null;
          // A problem status with nobody in it stays quiet: colour is for what needs attention.
          const quiet = status !== "operational" && !n;
          return (
            <li key={status} className={`flex min-w-[6.5em] flex-col justify-center rounded-[0.25em] px-[0.5em] py-[0.2em] ${quiet ? QUIET : WALL_STATUS_CLASS[status]}`}>
              <span className="text-[1.1em] leading-tight">
                <span aria-hidden="true">{TUNNEL_STATUS[status].symbol} </span>
                {TUNNEL_STATUS[status].label}
              </span>
              <span className="text-[2.75em] leading-none font-bold tabular-nums">{n ?? "–"}</span>
            </li>
          );
        })}
      </ul>
      <ul aria-label="Open warnings by severity" className="flex gap-[0.3em] border-l-[0.15em] border-gray-400 pl-[0.5em] dark:border-gray-700">
        {WARNING_ORDER.map((severity) => {
          const style = WARNING_SEVERITY[severity];
          const n = warningCounts ? warningCounts[severity] : null;
          // A zero count stays dark: colour is for what needs attention.
          return (
            <li
              key={severity}
              className={`flex min-w-[6em] flex-col justify-center rounded-[0.25em] px-[0.5em] py-[0.2em] ${n ? style.className : QUIET}`}
            >
              <span className="text-[1.1em] leading-tight">
                <span aria-hidden="true">{style.symbol} </span>
                {style.label}
              </span>
              <span className="text-[2.75em] leading-none font-bold tabular-nums">{n ?? "–"}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
