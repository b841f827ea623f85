"use client";

import { useQuery } from "@tanstack/react-query";
import { formatValue } from "@/lib/charts/describe";
import { formatInstant } from "@/lib/charts/ticks";
import { describeLoadError } from "@/lib/client/load-error";
import { tunnelPathsQuery } from "@/lib/client/queries";
import type { PathHop } from "@/lib/db/schema";
import type { PathComparison, TracedPath } from "@/lib/queries/tunnel-telemetry";

/**
 * The forward path (source gateway → AVS) beside the reverse path (AVS → source gateway) read
 * backwards, so the same router sits on the same row in both. A row where they differ says so in
 * words and with a symbol, not by colour alone.
 */
export function TunnelPaths({ tunnelId, tunnelName }: { tunnelId: string; tunnelName: string }) {
  const { data, error } = useQuery(tunnelPathsQuery(tunnelId));
  return (
    // Two tunnels give two of these regions: the tunnel's name tells them apart.
    <section aria-label={`Forward and reverse paths, tunnel ${tunnelName}`} className="space-y-2">
      <h4 className="text-sm font-semibold">Forward and reverse paths</h4>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {describeLoadError(error, "the paths")}
        </p>
      )}
      {data ? <PathView data={data} tunnelName={tunnelName} /> : error ? null : <PathSkeleton />}
    </section>
  );
}

function PathView({ data, tunnelName }: { data: PathComparison; tunnelName: string }) {
  const { forward, reverse } = data;
  if (!forward && !reverse) {
    return <p className="text-sm text-slate-600">Neither agent has traced a path in the last 24 hours, so the routes cannot be compared.</p>;
  }
  if (!forward || !reverse) {
    const known = (forward ?? reverse)!;
    return (
      <div className="space-y-2 text-sm">
        <p className="text-slate-600">
          Only the {forward ? "forward" : "reverse"} path is known: the {forward ? "AVS edge bridge" : "source gateway"}&apos;s agent has not traced one in the last 24 hours, so the two directions cannot be compared.
        </p>
        <TraceFacts path={known} />
        <ol className="list-inside list-decimal font-mono text-xs">
          {known.hops.map((hop) => (
            <li key={hop.ttl}>
              <HopText hop={hop} />
            </li>
          ))}
        </ol>
      </div>
    );
  }
  return (
    <div className="space-y-2 text-sm">
      {data.firstDifference === null ? (
        <p className="text-green-800">
          <span aria-hidden>= </span>Both directions cross the same networks hop by hop (unanswered hops aside).
        </p>
      ) : (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900">
          <strong>
            <span aria-hidden>≠ </span>The paths differ from hop {data.firstDifference}.
          </strong>{" "}
          Traffic leaves over one route and comes back over another; stateful firewalls or NAT on either route can drop replies. Rows marked “differs” below show where.
        </p>
      )}
      <div className="grid gap-1 text-xs text-slate-600 sm:grid-cols-2">
        <TraceFacts path={forward} />
        <TraceFacts path={reverse} />
      </div>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse text-left text-sm">
          <caption className="sr-only">Tunnel {tunnelName}: hops between the two ends, forward beside reverse</caption>
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className="px-3 py-1.5">Hop</th>
              <th scope="col" className="px-3 py-1.5">Source → AVS (forward)</th>
              <th scope="col" className="px-3 py-1.5">AVS → source (reverse, read backwards)</th>
              <th scope="col" className="px-3 py-1.5">Compared</th>
            </tr>
          </thead>
          <tbody>
            {data.hops.length === 0 && (
              <tr>
                <td colSpan={4} className="px-3 py-2 text-slate-600">
                  The two ends are direct neighbours: no hop in between.
                </td>
              </tr>
            )}
            {data.hops.map((row) => (
              <tr key={row.hop} className={`border-t border-slate-200 ${row.differs ? "bg-amber-50" : ""}`}>
                <th scope="row" className="px-3 py-1.5 font-normal tabular-nums">
                  {row.hop}
                </th>
                <td className="px-3 py-1.5 font-mono text-xs">{row.forward ? <HopText hop={row.forward} /> : <Absent />}</td>
                <td className="px-3 py-1.5 font-mono text-xs">{row.reverse ? <HopText hop={row.reverse} /> : <Absent />}</td>
                <td className="px-3 py-1.5">
                  <Verdict row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function TraceFacts({ path }: { path: TracedPath }) {
  const last = path.hops.at(-1);
  return (
    <p>
      {path.side === "source" ? "Forward" : "Reverse"}: traced by {path.hostname} at {formatInstant(Date.parse(path.measuredAt))}, {path.hops.length} hop
      {path.hops.length === 1 ? "" : "s"}
      {last?.address ? ` to ${last.address}` : ""}.
    </p>
  );
}

function HopText({ hop }: { hop: PathHop }) {
  return (
    <>
      {hop.address ?? <span className="text-slate-500">* no answer</span>}
      {hop.rttMs !== null && <span className="ml-2 text-slate-500">{formatValue(hop.rttMs, "ms")}</span>}
    </>
  );
}

function Absent() {
  return <span className="text-slate-400">— (path ends)</span>;
}

function Verdict({ row }: { row: PathComparison["hops"][number] }) {
  if (row.differs) {
    return (
      <strong className="font-semibold text-amber-900">
        <span aria-hidden>≠ </span>differs
      </strong>
    );
  }
  if (row.forward?.address === null || row.reverse?.address === null) {
    return (
      <span className="text-slate-500">
        <span aria-hidden>? </span>cannot tell
      </span>
    );
  }
  return (
    <span className="text-slate-600">
      <span aria-hidden>= </span>same network
    </span>
  );
}

function PathSkeleton() {
  return (
    <div role="status" className="animate-pulse space-y-2">
      <span className="sr-only">Loading the paths…</span>
      <div aria-hidden className="h-4 w-72 rounded bg-slate-200" />
      <div aria-hidden className="h-24 rounded bg-slate-100" />
    </div>
  );
}
