import type { Metadata } from "next";
import { RefreshCloudsButton } from "@/components/clouds/refresh-clouds-button";
import { ReservedSpace } from "@/components/clouds/reserved-space";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";
import { listReservedSpace } from "@/lib/queries/address-space";
import { listPrivateCloudDetails } from "@/lib/queries/clouds";

export const metadata: Metadata = { title: "Private clouds" };
export const dynamic = "force-dynamic";

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function CloudsPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const clouds = await listPrivateCloudDetails(db);
  const space = await listReservedSpace(db, clouds);
  const source = readConfig().azure.mode === "azure" ? "Azure" : "the built-in AVS emulator";
  return (
    <div className="space-y-10">
      <div className="space-y-6">
        <div className="flex flex-wrap items-center gap-4">
          <h1 className="text-2xl font-bold tracking-tight">Private clouds</h1>
          <span className="text-sm text-slate-500">read from {source}</span>
          {isAdmin(principal) && <RefreshCloudsButton />}
        </div>
        {clouds.length === 0 && <p>No private cloud found yet.</p>}
        <div className="grid gap-4 lg:grid-cols-2">
          {clouds.map((cloud) => (
            <section key={cloud.id} aria-label={cloud.name} className="rounded-lg border border-slate-200 bg-white p-5">
              <h2 className="text-lg font-semibold">{cloud.name}</h2>
              <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-slate-500">Region</dt>
                <dd>{cloud.region}</dd>
                <dt className="text-slate-500">Resource group</dt>
                <dd className="font-mono">{cloud.resourceGroup}</dd>
                <dt className="text-slate-500">Network block</dt>
                <dd className="font-mono">{[cloud.networkBlock, ...cloud.extendedNetworkBlocks].join(", ")}</dd>
                <dt className="text-slate-500">Tier-1 gateways</dt>
                <dd>{cloud.tier1Gateways.map((g) => g.displayName).join(", ") || "none"}</dd>
                <dt className="text-slate-500">Global Reach</dt>
                <dd>{cloud.globalReachConnections.map((c) => `${c.name} (${c.status ?? "unknown"})`).join(", ") || "none"}</dd>
                <dt className="text-slate-500">Last read</dt>
                <dd>{cloud.lastSyncedAt ? `${time.format(cloud.lastSyncedAt)} UTC` : "never (added by hand or demo data)"}</dd>
              </dl>
            </section>
          ))}
        </div>
      </div>
      <ReservedSpace clouds={space} canChange={isAdmin(principal)} />
    </div>
  );
}
