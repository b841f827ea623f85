import { StatusBadge } from "@/components/status-badge";
import { formatInstant } from "@/lib/charts/ticks";
import { WARNING_SEVERITY } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import type { WarningRow } from "@/lib/queries/warnings";

const at = (iso: string) => formatInstant(Date.parse(iso));

/** Severity as word and symbol (WARNING_SEVERITY), then what kind of problem, in words. */
export function WarningTitle({ warning }: { warning: WarningRow }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <StatusBadge status={WARNING_SEVERITY[warning.severity]} />
      <span className="font-medium">{warningKindLabel(warning.kind)}</span>
      <span className="text-sm text-slate-500">{warning.tunnelName ? `tunnel ${warning.tunnelName}` : "whole tenant"}</span>
    </span>
  );
}

/** Its lifecycle so far: opened, acknowledged (by whom), resolved (by whom). */
export function WarningTimes({ warning }: { warning: WarningRow }) {
  return (
    <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-600">
      <div>
        <dt className="inline">Opened </dt>
        <dd className="inline tabular-nums">{at(warning.openedAt)}</dd>
      </div>
      {warning.state !== "resolved" && (
        <div>
          <dt className="inline">Last seen </dt>
          <dd className="inline tabular-nums">{at(warning.lastSeenAt)}</dd>
        </div>
      )}
      {warning.acknowledgedAt && (
        <div>
          <dt className="inline">Acknowledged </dt>
          <dd className="inline tabular-nums">
            {at(warning.acknowledgedAt)}
            {warning.acknowledgedBy ? ` by ${warning.acknowledgedBy}` : ""}
          </dd>
        </div>
      )}
      {warning.resolvedAt && (
        <div>
          <dt className="inline">Resolved </dt>
          <dd className="inline tabular-nums">
            {at(warning.resolvedAt)}
            {warning.resolvedBy ? ` by ${warning.resolvedBy}` : ""}
          </dd>
        </div>
      )}
    </dl>
  );
}
