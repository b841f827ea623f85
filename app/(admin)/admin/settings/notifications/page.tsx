import type { Metadata } from "next";
import { RowActionButton } from "@/components/forms/row-action-button";
import { AllowedHostForm } from "@/components/notifications/allowed-host-form";
import { ChannelForm } from "@/components/notifications/channel-form";
import { ChannelTable } from "@/components/notifications/channel-table";
import { QuietPeriodForm } from "@/components/notifications/quiet-period-form";
import { QuietPeriodTable } from "@/components/notifications/quiet-period-table";
import { RouteForm } from "@/components/notifications/route-form";
import { RouteTable } from "@/components/notifications/route-table";
import { SettingsNav } from "@/components/notifications/settings-nav";
import { createMaintenanceWindow } from "@/lib/actions/maintenance/create-maintenance-window";
import { endMaintenanceWindow } from "@/lib/actions/maintenance/end-maintenance-window";
import { createChannel } from "@/lib/actions/notifications/create-channel";
import { createRoute } from "@/lib/actions/notifications/create-route";
import { createSilence } from "@/lib/actions/notifications/create-silence";
import { deleteChannel } from "@/lib/actions/notifications/delete-channel";
import { deleteRoute } from "@/lib/actions/notifications/delete-route";
import { endSilence } from "@/lib/actions/notifications/end-silence";
import { removeAllowedHost } from "@/lib/actions/notifications/remove-allowed-host";
import { testChannel } from "@/lib/actions/notifications/test-channel";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { getDemoReceivers } from "@/lib/notifications/demo-receiver-addresses";
import { listTenantChoices } from "@/lib/queries/access";
import { listAllowedHosts, listChannels, listMaintenanceWindows, listRoutes, listSilences, listTunnelChoices } from "@/lib/queries/notifications";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

/** Settings → Notifications: the operators' channels, rules, silences, maintenance windows and allowed hosts. */
export default async function NotificationSettingsPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const now = new Date();
  const [channels, routes, silences, windows, hosts, tenants, tunnels] = await Promise.all([
    listChannels(db, null),
    listRoutes(db, null),
    listSilences(db, null, now),
    listMaintenanceWindows(db, null, now),
    listAllowedHosts(db),
    listTenantChoices(db),
    listTunnelChoices(db, null),
  ]);
  const canChange = isAdmin(principal);
  const receivers = getDemoReceivers();
  const builtin = receivers ? { webhookUrl: receivers.webhookUrl, teamsUrl: receivers.teamsUrl, smtpHost: receivers.smtp.host, smtpPort: receivers.smtp.port } : null;
  return (
    <div className="space-y-10">
      <SettingsNav current="/admin/settings/notifications" builtinReceiver={receivers !== null} />
      <section aria-labelledby="channels-heading" className="space-y-4">
        <h1 id="channels-heading" className="text-2xl font-bold tracking-tight">
          Notification channels
        </h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Where the operators hear of warnings. Tenants set up their own channels on their tenant&apos;s page. Webhooks are signed
          (docs/notifications.md); secrets and passwords are stored encrypted.
        </p>
        <ChannelTable rows={channels} logHref={(id) => `/admin/settings/notifications/channels/${id}`} actions={canChange ? { test: testChannel, remove: deleteChannel } : null} />
        {canChange && <ChannelForm action={createChannel} builtin={builtin} />}
      </section>

      <section aria-labelledby="rules-heading" className="space-y-4">
        <h2 id="rules-heading" className="text-xl font-bold tracking-tight">
          Routing rules
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">
          Warnings of one tenant that a rule takes within its group wait go out as one message; while they stay open they are repeated;
          when they resolve, the rule says so. While a tunnel is down, its other tunnel warnings are held back.
        </p>
        <RouteTable rows={routes} remove={canChange ? deleteRoute : null} showTenant />
        {canChange && <RouteForm action={createRoute} channels={channels} tenants={tenants} />}
      </section>

      <section aria-labelledby="silences-heading" className="space-y-4">
        <h2 id="silences-heading" className="text-xl font-bold tracking-tight">
          Silences
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">Quiet the operators&apos; rules for what matches, with a reason shown on the warnings it hides. Tenants&apos; own rules are theirs to silence.</p>
        <QuietPeriodTable rows={silences} now={now} end={canChange ? endSilence : null} caption="Silences" />
        {canChange && <QuietPeriodForm action={createSilence} mode="silence" tenants={tenants} tunnels={tunnels} />}
      </section>

      <section aria-labelledby="maintenance-heading" className="space-y-4">
        <h2 id="maintenance-heading" className="text-xl font-bold tracking-tight">
          Maintenance windows
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">Planned work on a tenant or a tunnel: its tiles show Maintenance and its warnings notify nobody, operators or tenant.</p>
        <QuietPeriodTable rows={windows} now={now} end={canChange ? endMaintenanceWindow : null} caption="Maintenance windows" />
        {canChange && <QuietPeriodForm action={createMaintenanceWindow} mode="maintenance" tenants={tenants} tunnels={tunnels} />}
      </section>

      <section aria-labelledby="hosts-heading" className="space-y-4">
        <h2 id="hosts-heading" className="text-xl font-bold tracking-tight">
          Internal hosts
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">
          Channels may not reach private-range or link-local addresses (such as the cloud metadata service). A host listed here may,
          for the operators&apos; channels only.
        </p>
        {hosts.length > 0 && (
          <ul className="divide-y divide-slate-200 rounded-lg bg-white text-sm">
            {hosts.map((h) => (
              <li key={h.id} className="flex items-center justify-between gap-4 px-3 py-2">
                <span>
                  <code>{h.host}</code> <span className="text-slate-600">— {h.reason} (by {h.createdBy})</span>
                </span>
                {canChange && <RowActionButton action={removeAllowedHost} id={h.id} label="Remove" confirm={`Stop allowing ${h.host}?`} />}
              </li>
            ))}
          </ul>
        )}
        {canChange && <AllowedHostForm />}
      </section>
    </div>
  );
}
