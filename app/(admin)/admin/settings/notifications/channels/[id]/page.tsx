import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/notifications/auto-refresh";
import { ChannelEditForm } from "@/components/notifications/channel-edit-form";
import { DeliveryLog } from "@/components/notifications/delivery-log";
import { TestChannelButton } from "@/components/notifications/test-channel-button";
import { testChannel } from "@/lib/actions/notifications/test-channel";
import { updateChannel } from "@/lib/actions/notifications/update-channel";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { CHANNEL_KIND } from "@/lib/domain/notifications";
import { getChannelSummary, listDeliveries } from "@/lib/queries/notifications";

export const metadata: Metadata = { title: "Delivery log" };
export const dynamic = "force-dynamic";

/** One channel's delivery log (operators see every channel's, tenants' included), and the form to change an operators' channel. */
export default async function ChannelLogPage({ params }: { params: Promise<{ id: string }> }) {
  const { db, principal } = await requirePageAccess("portal:read");
  const { id } = await params;
  const channel = /^[0-9a-f-]{36}$/.test(id) ? await getChannelSummary(db, id) : null;
  if (!channel) notFound();
  const rows = await listDeliveries(db, channel.id);
  return (
    <div className="space-y-4">
      <AutoRefresh />
      <Link href="/admin/settings/notifications" className="text-sm text-sky-800 underline">
        ← Notifications
      </Link>
      <h1 className="text-2xl font-bold tracking-tight">Delivery log: {channel.name}</h1>
      <p className="text-sm text-slate-600">
        {CHANNEL_KIND[channel.kind].label} to <code>{channel.target}</code>
        {channel.tenantId ? " (a tenant's own channel)" : ""}
      </p>
      {isAdmin(principal) && <TestChannelButton action={testChannel} id={channel.id} name={channel.name} />}
      <DeliveryLog rows={rows} />
      {/* Operators change their own channels here; a tenant's channel is the tenant's to change. */}
      {isAdmin(principal) && channel.tenantId === null && <ChannelEditForm action={updateChannel} channel={channel} />}
    </div>
  );
}
