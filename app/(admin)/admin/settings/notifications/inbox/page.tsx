import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/notifications/auto-refresh";
import { SettingsNav } from "@/components/notifications/settings-nav";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { CHANNEL_KIND } from "@/lib/domain/notifications";
import { getDemoReceivers } from "@/lib/notifications/demo-receiver-addresses";
import { listDemoInbox } from "@/lib/queries/notifications";

export const metadata: Metadata = { title: "Built-in receiver" };
export const dynamic = "force-dynamic";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/**
 * What the embedded defaults' built-in receivers took in: the messages the console really sent
 * over loopback, with what each receiver checked. Only where they run.
 */
export default async function BuiltinReceiverPage() {
  const { db } = await requirePageAccess("portal:read");
  const receivers = getDemoReceivers();
  if (!receivers) notFound();
  const messages = await listDemoInbox(db);
  return (
    <div className="space-y-6">
      <AutoRefresh />
      <SettingsNav current="/admin/settings/notifications/inbox" builtinReceiver />
      <h1 className="text-2xl font-bold tracking-tight">Built-in receiver</h1>
      <p className="max-w-3xl text-sm text-slate-600">
        On its embedded defaults the console runs a webhook and Teams receiver at <code>{new URL(receivers.webhookUrl).origin}</code> and a
        mail sink at <code>smtp://{receivers.smtp.host}:{receivers.smtp.port}</code>, on loopback only, so notifications can be seen
        arriving without any outside service. The demo channels point at them. What arrives is below, newest first: the real
        requests and messages, with the webhook&apos;s signature checked and the Teams card&apos;s envelope and the e-mail parsed.
      </p>
      {messages.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">Nothing received yet. Send a test from a channel, or wait for a warning.</p>
      ) : (
        <ul className="space-y-3">
          {messages.map((m) => (
            <li key={m.id} className="rounded-lg border border-slate-200 bg-white p-3">
              <div className="flex flex-wrap items-center gap-3 text-sm">
                <span className="font-medium">{CHANNEL_KIND[m.kind].label}</span>
                <span className="text-slate-600 tabular-nums">{dateTime.format(m.receivedAt)} UTC</span>
                <span className={m.verified ? "text-green-800" : "text-red-700"}>
                  <span aria-hidden>{m.verified ? "✓ " : "✕ "}</span>
                  {m.verdict}
                </span>
              </div>
              <p className="mt-1 font-medium">{m.subject}</p>
              <details className="mt-1">
                <summary className="cursor-pointer text-xs text-sky-800">what arrived</summary>
                <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap">{m.body}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
