import type { Metadata } from "next";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { TUNNEL_STATUS, TUNNEL_STATUSES } from "@/lib/domain/status";
import { getFleetSummary } from "@/lib/queries/fleet";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function AdminHomePage() {
  const { db } = await requirePageAccess("portal:read");
  const fleet = await getFleetSummary(db);
  const openWarnings = fleet.openWarnings.info + fleet.openWarnings.warning + fleet.openWarnings.critical;
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">Fleet overview</h1>
      <dl className="mt-6 grid gap-4 sm:grid-cols-3">
        <Figure label="Private clouds" value={fleet.privateClouds} />
        <Figure label="Tenants in service" value={fleet.activeTenants} />
        <Figure label="Open warnings" value={openWarnings} />
      </dl>
      <section aria-labelledby="tunnels-heading" className="mt-8">
        <h2 id="tunnels-heading" className="text-lg font-semibold">
          Tunnels by status
        </h2>
        <ul className="mt-3 flex flex-wrap gap-3">
          {TUNNEL_STATUSES.map((status) => (
            <li key={status} className="flex items-center gap-2 rounded-md border border-slate-200 bg-white px-3 py-2">
              <span className={`rounded px-1.5 text-xs ${TUNNEL_STATUS[status].className}`} aria-hidden>
                {TUNNEL_STATUS[status].symbol}
              </span>
              <span>{TUNNEL_STATUS[status].label}</span>
              <span className="font-semibold tabular-nums">{fleet.tunnelsByStatus[status]}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-3xl font-semibold tabular-nums">{value}</dd>
    </div>
  );
}
