import Link from "next/link";
import { SystemStatus } from "@/components/system-status";
import { readConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

const AUDIENCES = [
  {
    href: "/admin",
    title: "Admin portal",
    text: "Onboard tenants, allocate VLANs, provision AVS segments, watch every tunnel.",
  },
  {
    href: "/tenant",
    title: "Tenant self-service",
    text: "Your one network: VLAN, subnet, segment, tunnel health and gateway configs.",
  },
  { href: "/noc", title: "NOC wall display", text: "Read-only, always-on view of every tunnel and warning." },
];

export default async function HomePage() {
  const { report } = await checkHealth(readConfig(), getDatabase);
  return (
    <main className="mx-auto max-w-4xl px-6 py-12">
      <h1 className="text-3xl font-bold tracking-tight">Bridgehead</h1>
      <p className="mt-2 max-w-2xl text-slate-600">
        Stretch each tenant&apos;s VLAN from its own site into Azure VMware Solution over VXLAN, and run the
        whole fleet from one console.
      </p>
      <nav aria-label="Views" className="mt-8 grid gap-4 sm:grid-cols-3">
        {AUDIENCES.map((audience) => (
          <Link
            key={audience.href}
            href={audience.href}
            className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm transition hover:border-sky-500 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
          >
            <span className="block font-semibold text-sky-800">{audience.title}</span>
            <span className="mt-1 block text-sm text-slate-600">{audience.text}</span>
          </Link>
        ))}
      </nav>
      <div className="mt-8">
        <SystemStatus report={report} />
      </div>
    </main>
  );
}
