import { StatusBadge } from "@/components/status-badge";
import { formatBitRate, formatValue } from "@/lib/charts/describe";
import { formatInstant } from "@/lib/charts/ticks";
import { pairReasonText } from "@/lib/domain/pair-role";
import { PAIR_END_ROLE, TUNNEL_PAIR_ROLE, TUNNEL_STATUS } from "@/lib/domain/status";
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import { formatAge } from "@/lib/noc/staleness";
import type { TunnelSeries } from "@/lib/queries/tunnel-telemetry";

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A tunnel's status and each end's newest readings. Ages are measured from the time the server
 * read them (`generatedAt`), not the browser's clock, so the server's HTML and the hydrated page
 * say the same thing.
 */
export function TunnelHealth({ data }: { data: TunnelSeries }) {
  const now = Date.parse(data.generatedAt);
  const status = TUNNEL_STATUS[data.tunnel.status];
  const since = Date.parse(data.tunnel.statusChangedAt);
  return (
    <div>
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <StatusBadge status={status} />
        <span className="text-slate-600">
          since {formatInstant(since)} ({formatAge(now - since)}) · {status.description}
          {data.tunnel.maintenanceUntil && data.tunnel.status === "maintenance" ? ` until ${formatInstant(Date.parse(data.tunnel.maintenanceUntil))}` : ""}
        </span>
      </p>
      {data.pairRole && (
        <p className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-600">In the active/standby pair:</span>
          <StatusBadge status={TUNNEL_PAIR_ROLE[data.pairRole]} />
          <span className="text-slate-600">{TUNNEL_PAIR_ROLE[data.pairRole].description}</span>
        </p>
      )}
      <dl className="mt-3 grid gap-3 text-sm sm:grid-cols-2">
        {data.ends.map((end) => (
          <div key={end.side} className="rounded-md bg-slate-50 px-3 py-2">
            <dt className="font-medium">
              {capitalise(SIDE_NAME[end.side])} <span className="font-mono font-normal text-slate-600">{end.hostname}</span>
            </dt>
            <dd className="mt-1 text-slate-700">
              {end.latest ? (
                <Readings latest={end.latest} objectiveMs={data.latencyObjectiveMs} />
              ) : (
                <span>No reading yet: its agent has not reported.</span>
              )}
            </dd>
            <dd className="mt-1 tabular-nums text-slate-700">
              {end.rate ? <RateNow rate={end.rate} /> : <span className="text-slate-500">Throughput: no recent counters.</span>}
            </dd>
            {end.pair && (
              <dd className="mt-1 text-slate-700">
                Pair role: <strong className="font-semibold">{PAIR_END_ROLE[end.pair.role].label}</strong> since {formatInstant(Date.parse(end.pair.since))} (
                {formatAge(now - Date.parse(end.pair.since))}): {pairReasonText(end.pair.reason)}
              </dd>
            )}
            <dd className="mt-1 text-xs text-slate-500">
              {end.lastSampleAt
                ? `Last report ${formatInstant(Date.parse(end.lastSampleAt))}, ${formatAge(now - Date.parse(end.lastSampleAt))} ago`
                : "Never reported"}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** What the end's tunnel interface carries now: sent and received, over its newest two samples. */
function RateNow({ rate }: { rate: NonNullable<TunnelSeries["ends"][number]["rate"]> }) {
  const part = (bps: number | null, pps: number | null) => (bps === null ? "—" : `${formatBitRate(bps)}${pps === null ? "" : ` (${Math.round(pps)} packets/s)`}`);
  return (
    <span>
      Throughput now: sent {part(rate.txBps, rate.txPps)} · received {part(rate.rxBps, rate.rxPps)}
    </span>
  );
}

function Readings({ latest, objectiveMs }: { latest: NonNullable<TunnelSeries["ends"][number]["latest"]>; objectiveMs: number }) {
  const over = latest.rttMs !== null && latest.rttMs > objectiveMs;
  return (
    <span className="tabular-nums">
      RTT {latest.rttMs === null ? "— (no reply)" : formatValue(latest.rttMs, "ms")}
      {over ? (
        <strong className="ml-1 font-semibold text-amber-800">
          <span aria-hidden>▲ </span>above the {formatValue(objectiveMs, "ms")} objective
        </strong>
      ) : (
        <span className="text-slate-500"> (objective {formatValue(objectiveMs, "ms")})</span>
      )}
      {" · "}jitter {latest.jitterMs === null ? "—" : formatValue(latest.jitterMs, "ms")}
      {" · "}loss {latest.lossPct === null ? "—" : formatValue(latest.lossPct, "%")}
    </span>
  );
}
