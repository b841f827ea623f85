import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PoolMap } from "@/components/pools/pool-map";
import { PoolSettingsForm } from "@/components/pools/pool-settings-form";
import { StatusBadge } from "@/components/status-badge";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { VLAN_STATE } from "@/lib/domain/status";
import { formatVlanRanges } from "@/lib/domain/vlan";
import { getPoolView } from "@/lib/queries/pools";
import { listPrivateClouds } from "@/lib/queries/clouds";

export const metadata: Metadata = { title: "VLAN pools" };
export const dynamic = "force-dynamic";

export default async function PoolsPage({ searchParams }: { searchParams: Promise<{ cloud?: string }> }) {
  const { db, principal } = await requirePageAccess("portal:read");
  const clouds = await listPrivateClouds(db);
  const { cloud: requested } = await searchParams;
  const cloudId = requested ?? clouds[0]?.id;
  if (!cloudId) return <p>No private cloud is known yet.</p>;
  if (!/^[0-9a-f-]{36}$/.test(cloudId)) notFound();
  const view = await getPoolView(db, cloudId);
  if (!view) notFound();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-bold tracking-tight">VLAN pool of {view.cloud.name}</h1>
        {clouds.length > 1 && (
          <nav aria-label="Private clouds" className="flex gap-3 text-sm">
            {clouds.map((c) => (
              <Link key={c.id} href={`/admin/pools?cloud=${c.id}`} aria-current={c.id === cloudId ? "page" : undefined} className="underline">
                {c.name}
              </Link>
            ))}
          </nav>
        )}
      </div>
      <p className="text-sm text-slate-600">
        Ranges {formatVlanRanges(view.rules.ranges)} · reserved {view.rules.reserved.join(", ") || "none"} · quarantine{" "}
        {view.quarantineDays} days after release
      </p>
      <PoolMap cells={view.cells} counts={view.counts} />
      <section aria-labelledby="holders-heading">
        <h2 id="holders-heading" className="text-lg font-semibold">
          Allocated and quarantined VLANs
        </h2>
        <table className="mt-3 w-full border-collapse rounded-lg bg-white text-sm">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th scope="col" className="px-3 py-2">VLAN</th>
              <th scope="col" className="px-3 py-2">VNI</th>
              <th scope="col" className="px-3 py-2">Tenant</th>
              <th scope="col" className="px-3 py-2">State</th>
            </tr>
          </thead>
          <tbody>
            {view.holders.map((h) => (
              <tr key={`${h.vlanId}-${h.state}`} className="border-t border-slate-200">
                <td className="px-3 py-2 tabular-nums">{h.vlanId}</td>
                <td className="px-3 py-2 tabular-nums">{h.vni}</td>
                <td className="px-3 py-2">
                  <Link href={`/t/${h.slug}`} className="text-sky-800 hover:underline">
                    {h.tenant}
                  </Link>
                </td>
                <td className="px-3 py-2">
                  <StatusBadge status={VLAN_STATE[h.state === "quarantined" ? "quarantined" : "allocated"]} />
                  {h.state === "quarantined" && h.quarantinedUntil && (
                    <span className="ml-2 text-slate-600">until {h.quarantinedUntil.toISOString().slice(0, 10)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isAdmin(principal) && (
        <PoolSettingsForm
          privateCloudId={view.cloud.id}
          ranges={formatVlanRanges(view.rules.ranges)}
          reserved={view.rules.reserved.join(", ")}
          quarantineDays={view.quarantineDays}
        />
      )}
    </div>
  );
}
