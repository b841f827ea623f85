import Link from "next/link";
import { RowActionButton } from "@/components/forms/row-action-button";
import { offboardTenant } from "@/lib/actions/tenants/offboard-tenant";
import type { TenantSummary } from "@/lib/queries/tenants";

/** The operator's controls for a tenant in service: edit it, or offboard it. */
export function TenantAdminActions({ tenant }: { tenant: TenantSummary }) {
  return (
    <div className="mt-6 flex items-center gap-4">
      <Link href={`/admin/tenants/${tenant.slug}/edit`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
        Edit
      </Link>
      <RowActionButton
        action={offboardTenant}
        id={tenant.id}
        label="Offboard"
        confirm={`Offboard ${tenant.displayName}? Its users lose access, its agent tokens stop working, and VLAN ${tenant.vlanId} goes into quarantine once the segment is removed.`}
      />
    </div>
  );
}
