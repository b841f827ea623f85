import { StatusBadge } from "@/components/status-badge";
import { TENANT_STATE } from "@/lib/domain/status";
import type { TenantSummary } from "@/lib/queries/tenants";

export function TenantOverview({ tenant }: { tenant: TenantSummary }) {
  const facts = [
    { label: "VLAN", value: tenant.vlanId ?? "—" },
    { label: "VXLAN VNI", value: tenant.vni ?? "—" },
    { label: "Subnet", value: tenant.subnet },
    { label: "Default gateway", value: tenant.gatewayLocation === "avs" ? "In AVS" : "At the source site" },
    { label: "Private cloud", value: `${tenant.privateCloud} (${tenant.region})` },
    { label: "Underlay MTU", value: tenant.underlayMtu },
    { label: "Planned cut-over", value: tenant.plannedCutoverOn ?? "—" },
  ];
  return (
    <>
      <div className="flex items-center gap-3">
        <h1 className="text-2xl font-bold tracking-tight">{tenant.displayName}</h1>
        <StatusBadge status={TENANT_STATE[tenant.state]} />
      </div>
      {tenant.state === "offboarding" && (
        <p role="status" className="mt-4 rounded-md bg-amber-50 px-4 py-3 text-amber-900">
          Offboarding: the segment is being removed from AVS. VLAN {tenant.vlanId} enters quarantine once it is gone.
        </p>
      )}
      {tenant.state === "offboarded" && (
        <p role="status" className="mt-4 rounded-md bg-slate-100 px-4 py-3 text-slate-800">
          Offboarded{tenant.offboardedAt ? ` on ${tenant.offboardedAt.toISOString().slice(0, 10)}` : ""}.{" "}
          {tenant.vlanState === "quarantined" && tenant.quarantinedUntil
            ? `VLAN ${tenant.vlanId} is in quarantine until ${tenant.quarantinedUntil.toISOString().slice(0, 10)}.`
            : "Its VLAN has been released."}{" "}
          This record is kept as history.
        </p>
      )}
      <dl className="mt-6 grid gap-4 sm:grid-cols-4">
        {facts.map((fact) => (
          <div key={fact.label} className="rounded-lg border border-slate-200 bg-white p-4">
            <dt className="text-sm text-slate-500">{fact.label}</dt>
            <dd className="mt-1 font-semibold tabular-nums">{fact.value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
