import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/notifications/auto-refresh";
import { ChannelEditForm } from "@/components/notifications/channel-edit-form";
import { DeliveryLog } from "@/components/notifications/delivery-log";
import { TenantShell } from "@/components/notifications/tenant-shell";
import { TestChannelButton } from "@/components/notifications/test-channel-button";
import { testTenantChannel } from "@/lib/actions/notifications/test-channel";
import { updateTenantChannel } from "@/lib/actions/notifications/update-channel";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { getDatabase } from "@/lib/db/client";
import { CHANNEL_KIND } from "@/lib/domain/notifications";
import { getChannelSummary, listDeliveries } from "@/lib/queries/notifications";
import { findTenantIdBySlug, getTenantSummary } from "@/lib/queries/tenants";

export const metadata: Metadata = { title: "Delivery log" };
export const dynamic = "force-dynamic";

/** One of the tenant's own channels: its delivery log and the form to change it; another tenant's channel, or the operators', is a 404. */
export default async function TenantChannelLogPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const { db } = await getDatabase();
  const tenantId = await findTenantIdBySlug(slug, db);
  const { principal } = await requirePageAccess("tenant:write", { tenantId });
  const channel = /^[0-9a-f-]{36}$/.test(id) ? await getChannelSummary(db, id) : null;
  if (!channel || !tenantId || channel.tenantId !== tenantId) notFound();
  const [rows, tenant] = await Promise.all([listDeliveries(db, channel.id), getTenantSummary(db, tenantId)]);
  return (
    <TenantShell principal={principal} slug={slug}>
      <AutoRefresh />
      <div className="space-y-4">
        <Link href={`/t/${slug}/notifications`} className="text-sm text-sky-800 underline">
          ← Notifications
        </Link>
        <h1 className="text-2xl font-bold tracking-tight">Delivery log: {channel.name}</h1>
        <p className="text-sm text-slate-600">
          {CHANNEL_KIND[channel.kind].label} to <code>{channel.target}</code>
        </p>
        <TestChannelButton action={testTenantChannel} id={channel.id} name={channel.name} />
        <DeliveryLog rows={rows} />
        {/* As on the notifications page: an offboarded tenant's channels can be deleted, not set up again. */}
        {tenant && tenant.state !== "offboarded" && <ChannelEditForm action={updateTenantChannel} channel={channel} />}
      </div>
    </TenantShell>
  );
}
