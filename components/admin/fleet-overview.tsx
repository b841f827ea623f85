"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { fleetOverviewQuery } from "@/lib/client/queries";
import { SEGMENT_STATE, TUNNEL_STATUS, TUNNEL_STATUSES, WARNING_SEVERITY } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import type { FleetOverview as Overview } from "@/lib/queries/fleet";

/** Worst first, as an operator reads them. */
const SEVERITIES = (["critical", "warning", "info"] as const).map((key) => ({ key, ...WARNING_SEVERITY[key] }));
const time = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace("T", " ");

/** The fleet at a glance. Every number is a link to the filtered list behind it. */
export function FleetOverview() {
  const { data, error, isFetching } = useQuery(fleetOverviewQuery());
  if (!data) {
    return error ? (
      <p role="alert" className="mt-6 rounded-md border border-red-300 bg-red-50 p-4 text-red-900">
        The overview cannot be loaded ({error.message}). It retries on its own.
      </p>
    ) : (
      <div aria-busy="true" className="mt-6 grid animate-pulse gap-4 sm:grid-cols-3">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-24 rounded-lg bg-slate-200" />
        ))}
      </div>
    );
  }
  return (
    <div className="mt-6 space-y-8">
      <p className="text-sm text-slate-500" aria-live="polite">
        {error ? <span className="text-red-700">Refresh failed; showing figures from {time(data.generatedAt)} UTC. </span> : null}
        As of {time(data.generatedAt)} UTC{isFetching ? " · refreshing…" : ""}
      </p>
      <TunnelsAndWarnings data={data} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Worst title="Worst latency now" empty="No tunnel reported in the last 5 minutes." rows={data.worstLatency.map((r) => ({ ...r, value: `${r.rttMs} ms` }))} />
        <Worst title="Worst loss now" empty="No tunnel is losing packets." rows={data.worstLoss.map((r) => ({ ...r, value: `${r.lossPct} %` }))} />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Segments data={data} />
        <PastCutover data={data} />
      </div>
      <RecentChanges data={data} />
    </div>
  );
}

function TunnelsAndWarnings({ data }: { data: Overview }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section aria-labelledby="tunnels-heading">
        <h2 id="tunnels-heading" className="text-lg font-semibold">
          Tunnels by status
        </h2>
        <ul className="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-3">
          {TUNNEL_STATUSES.map((status) => (
            <li key={status}>
              <Link
                href={`/admin/tenants?tunnel=${status}`}
                className="flex items-center gap-2 rounded-md border border-slate-200 bg-white px-3 py-2 hover:bg-slate-50"
                aria-label={`${data.tunnelsByStatus[status]} tunnels ${TUNNEL_STATUS[status].label.toLowerCase()}`}
              >
                <span className={`rounded px-1.5 text-xs ${TUNNEL_STATUS[status].className}`} aria-hidden>
                  {TUNNEL_STATUS[status].symbol}
                </span>
                <span>{TUNNEL_STATUS[status].label}</span>
                <span className="ml-auto font-semibold tabular-nums">{data.tunnelsByStatus[status]}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="warnings-heading">
        <h2 id="warnings-heading" className="text-lg font-semibold">
          Open warnings
        </h2>
        <ul className="mt-3 grid grid-cols-3 gap-2">
          {SEVERITIES.map((s) => (
            <li key={s.key}>
              <Link href={`/admin/warnings?severity=${s.key}`} className={`block rounded-md px-3 py-2 hover:brightness-110 ${s.className}`}>
                <span aria-hidden>{s.symbol} </span>
                {s.label}
                <span className="block text-2xl font-semibold tabular-nums">{data.openWarnings[s.key]}</span>
              </Link>
            </li>
          ))}
        </ul>
        {data.warningsByKind.length > 0 && (
          <ul className="mt-3 space-y-1 text-sm">
            {data.warningsByKind.map((row) => (
              <li key={`${row.kind}-${row.severity}`}>
                <Link href={`/admin/warnings?kind=${encodeURIComponent(row.kind)}&severity=${row.severity}`} className="text-sky-800 underline">
                  {row.n} × {warningKindLabel(row.kind)} ({WARNING_SEVERITY[row.severity].label.toLowerCase()})
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Worst({ title, empty, rows }: { title: string; empty: string; rows: { slug: string; tenant: string; tunnel: string; side: string; value: string }[] }) {
  return (
    <section aria-label={title}>
      <h2 className="text-lg font-semibold">{title}</h2>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">{empty}</p>
      ) : (
        <ol className="mt-2 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white text-sm">
          {rows.map((row) => (
            <li key={`${row.slug}-${row.tunnel}-${row.side}`} className="flex items-center gap-3 px-3 py-2">
              <Link href={`/t/${row.slug}`} className="text-sky-800 underline">
                {row.tenant}
              </Link>
              <span className="text-slate-500">
                {row.tunnel}, {row.side === "source" ? "source end" : "AVS end"}
              </span>
              <span className="ml-auto font-semibold tabular-nums">{row.value}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Segments({ data }: { data: Overview }) {
  const states = ["pending", "provisioning", "failed", "drifted", "deleting"] as const;
  return (
    <section aria-labelledby="segments-heading">
      <h2 id="segments-heading" className="text-lg font-semibold">
        Segments not settled
      </h2>
      <ul className="mt-2 flex flex-wrap gap-2 text-sm">
        {states.map((state) => (
          <li key={state}>
            <Link href={`/admin/tenants?segment=${state}`} className={`inline-flex gap-2 rounded px-2 py-1 ${SEGMENT_STATE[state].className}`}>
              <span aria-hidden>{SEGMENT_STATE[state].symbol}</span>
              {SEGMENT_STATE[state].label}
              <span className="font-semibold tabular-nums">{data.segmentsInMotion[state]}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PastCutover({ data }: { data: Overview }) {
  return (
    <section aria-labelledby="cutover-heading">
      <h2 id="cutover-heading" className="text-lg font-semibold">
        <Link href="/admin/tenants?cutover=past" className="hover:underline">
          Past their cut-over date: {data.pastCutover.length}
        </Link>
      </h2>
      <ul className="mt-2 space-y-1 text-sm">
        {data.pastCutover.slice(0, 5).map((t) => (
          <li key={t.slug}>
            <Link href={`/t/${t.slug}`} className="text-sky-800 underline">
              {t.tenant}
            </Link>{" "}
            <span className="text-slate-500">planned {t.plannedCutoverOn}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RecentChanges({ data }: { data: Overview }) {
  return (
    <section aria-labelledby="changes-heading">
      <h2 id="changes-heading" className="text-lg font-semibold">
        <Link href="/admin/audit" className="hover:underline">
          Recent changes
        </Link>
      </h2>
      <ul className="mt-2 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white text-sm">
        {data.recentChanges.map((event) => (
          <li key={event.id} className="flex flex-wrap gap-3 px-3 py-2">
            <time dateTime={event.at} className="tabular-nums text-slate-500">
              {time(event.at)}
            </time>
            <span className="font-mono">{event.action}</span>
            {event.slug && (
              <Link href={`/t/${event.slug}`} className="text-sky-800 underline">
                {event.slug}
              </Link>
            )}
            <span className="ml-auto text-slate-600">{event.actor}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
