import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EditTenantForm } from "@/components/tenants/edit-form";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { getEditableTenant } from "@/lib/queries/tenants";

export const metadata: Metadata = { title: "Edit tenant" };
export const dynamic = "force-dynamic";

export default async function EditTenantPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { db } = await requirePageAccess("fleet:write");
  const tenant = await getEditableTenant(db, slug);
  if (!tenant) notFound();
  return (
    <div className="max-w-4xl space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Edit {tenant.displayName}</h1>
      <EditTenantForm tenant={tenant} />
    </div>
  );
}
