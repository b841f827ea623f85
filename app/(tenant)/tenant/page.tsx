import type { Metadata } from "next";

export const metadata: Metadata = { title: "My network" };

export default function TenantHomePage() {
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">My network</h1>
      <p className="mt-2 max-w-2xl text-slate-600">
        Your stretched VLAN, its segment in Azure VMware Solution, tunnel health and gateway configs are shown
        here once you are signed in as a member of your organisation&apos;s tenant.
      </p>
    </>
  );
}
