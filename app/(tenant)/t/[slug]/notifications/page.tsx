import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChannelForm } from "@/components/notifications/channel-form";
import { ChannelTable } from "@/components/notifications/channel-table";
import { QuietPeriodForm } from "@/components/notifications/quiet-period-form";
import { QuietPeriodTable } from "@/components/notifications/quiet-period-table";
import { RouteForm } from "@/components/notifications/route-form";
import { RouteTable } from "@/components/notifications/route-table";
import { TenantShell } from "@/components/notifications/tenant-shell";
import { createTenantChannel } from "@/lib/actions/notifications/create-channel";
import { createTenantRoute } from "@/lib/actions/notifications/create-route";
import { createTenantSilence } from "@/lib/actions/notifications/create-silence";
import { deleteTenantChannel } from "@/lib/actions/notifications/delete-channel";
import { deleteTenantRoute } from "@/lib/actions/notifications/delete-route";
import { endTenantSilence } from "@/lib/actions/notifications/end-silence";
import { testTenantChannel } from "@/lib/actions/notifications/test-channel";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { getDatabase } from "@/lib/db/client";
import { getDemoReceivers } from "@/lib/notifications/demo-receiver-addresses";
import { listChannels, listMaintenanceWindows, listRoutes, listSilences, listTunnelChoices } from "@/lib/queries/notifications";
import { findTenantIdBySlug, getTenantSummary } from "@/lib/queries/tenants";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

/**
 * A tenant's own notifications: its channels, its rules (its own warnings only: there is no
 * tenant to choose), its silences, and the operators' maintenance windows on it. For the
 * tenant's admins and the operators who may change it; anyone else gets a 404.
 */
export default async function TenantNotificationsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { db } = await getDatabase();
  const tenantId = await findTenantIdBySlug(slug, db);
  const { principal } = await requirePageAccess("tenant:write", { tenantId });
  const tenant = await getTenantSummary(db, tenantId!);
  if (!tenant) notFound();
  const now = new Date();
  const [channels, routes, silences, windows, tunnels] = await Promise.all([
    listChannels(db, tenant.id),
    listRoutes(db, tenant.id),
    listSilences(db, tenant.id, now),
    listMaintenanceWindows(db, tenant.id, now),
    listTunnelChoices(db, tenant.id),
  ]);
  const receivers = getDemoReceivers();
  const builtin = receivers ? { webhookUrl: receivers.webhookUrl, teamsUrl: receivers.teamsUrl, smtpHost: receivers.smtp.host, smtpPort: receivers.smtp.port } : null;
  const live = tenant.state !== "offboarded";
  return (
    <TenantShell principal={principal} slug={tenant.slug}>
      <Link href={`/t/${tenant.slug}`} className="text-sm text-sky-800 underline">
        ← {tenant.displayName}
      </Link>
      <section aria-labelledby="channels-heading" className="space-y-4">
        <h1 id="channels-heading" className="text-2xl font-bold tracking-tight">
          {tenant.displayName}: notifications
        </h1>
        <p className="max-w-3xl text-sm text-slate-600">Where your team hears of {tenant.displayName}&apos;s warnings. Only this tenant&apos;s warnings ever reach these channels.</p>
        <ChannelTable rows={channels} logHref={(id) => `/t/${tenant.slug}/notifications/channels/${id}`} actions={{ test: testTenantChannel, remove: deleteTenantChannel }} changeable={live} />
        {live && <ChannelForm action={createTenantChannel} tenantSlug={tenant.slug} builtin={builtin} />}
      </section>
      <section aria-labelledby="rules-heading" className="space-y-4">
        <h2 id="rules-heading" className="text-xl font-bold tracking-tight">
          Routing rules
        </h2>
        <RouteTable rows={routes} remove={deleteTenantRoute} showTenant={false} />
        {live && <RouteForm action={createTenantRoute} channels={channels} tenantSlug={tenant.slug} />}
      </section>
      <section aria-labelledby="silences-heading" className="space-y-4">
        <h2 id="silences-heading" className="text-xl font-bold tracking-tight">
          Silences
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">Quiet your own rules for a while; the reason shows on the warnings it hides.</p>
        <QuietPeriodTable rows={silences} now={now} end={endTenantSilence} caption="Silences" />
        {live && <QuietPeriodForm action={createTenantSilence} mode="silence" tenantSlug={tenant.slug} tunnels={tunnels.map((t) => ({ ...t, tenantName: tenant.displayName }))} />}
      </section>
      <section aria-labelledby="maintenance-heading" className="space-y-4">
        <h2 id="maintenance-heading" className="text-xl font-bold tracking-tight">
          Maintenance windows
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">Planned work the operators scheduled: the tunnel shows Maintenance and no one is notified. Ask your operator to plan one.</p>
        <QuietPeriodTable rows={windows} now={now} end={null} caption="Maintenance windows" />
      </section>
    </TenantShell>
  );
}
