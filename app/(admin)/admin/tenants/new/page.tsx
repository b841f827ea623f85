import type { Metadata } from "next";
import { OnboardForm } from "@/components/tenants/onboard-form";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { listPrivateClouds } from "@/lib/queries/clouds";

export const metadata: Metadata = { title: "Onboard a tenant" };
export const dynamic = "force-dynamic";

export default async function OnboardTenantPage() {
  const { db } = await requirePageAccess("fleet:write");
  const clouds = await listPrivateClouds(db);
  return (
    <div className="max-w-4xl space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Onboard a tenant</h1>
      <p className="text-sm text-slate-600">
        One tenant, one VLAN, one NSX-T segment. The subnet is checked against the private cloud&apos;s blocks,
        every other tenant there and the reserved ranges, of any mask.
      </p>
      {clouds.length === 0 ? (
        <p role="alert">No private cloud is known yet. Connect the console to Azure first.</p>
      ) : (
        <OnboardForm clouds={clouds} />
      )}
    </div>
  );
}
