import Link from "next/link";
import type { TenantSummary } from "@/lib/queries/tenants";
import type { CheckResult } from "@/lib/stretch/checks/types";
import { OffboardForm } from "./offboard-form";

/** The operator's controls for a tenant in service: edit it, or offboard it after its pre-checks. */
export function TenantAdminActions({ tenant, offboardChecks }: { tenant: TenantSummary; offboardChecks: CheckResult[] }) {
  return (
    <div className="mt-6 flex flex-wrap items-start gap-4">
      <Link href={`/admin/tenants/${tenant.slug}/edit`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
        Edit
      </Link>
      <div className="min-w-0 flex-1">
        <OffboardForm tenantId={tenant.id} slug={tenant.slug} displayName={tenant.displayName} vlanId={tenant.vlanId} checks={offboardChecks} />
      </div>
    </div>
  );
}
