import type { Metadata } from "next";
import { RowActionButton } from "@/components/forms/row-action-button";
import { ScrapeTokenForm } from "@/components/metrics/scrape-token-form";
import { SettingsNav } from "@/components/notifications/settings-nav";
import { revokeScrapeToken } from "@/lib/actions/metrics/revoke-scrape-token";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";
import { getDemoReceivers } from "@/lib/notifications/demo-receiver-addresses";
import { listScrapeTokens } from "@/lib/queries/notifications";

export const metadata: Metadata = { title: "Metrics" };
export const dynamic = "force-dynamic";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Settings → Metrics: scrape tokens for Prometheus, and how to point it at /metrics. */
export default async function MetricsSettingsPage() {
  const { db, principal } = await requirePageAccess("portal:read");
  const tokens = await listScrapeTokens(db);
  const canChange = isAdmin(principal);
  const target = new URL(readConfig().publicUrl);
  return (
    <div className="space-y-6">
      <SettingsNav current="/admin/settings/metrics" builtinReceiver={getDemoReceivers() !== null} />
      <h1 className="text-2xl font-bold tracking-tight">Prometheus metrics</h1>
      <p className="max-w-3xl text-sm text-slate-600">
        <code>GET /metrics</code> answers in Prometheus&apos; text format to a scraper with a token made here (stored only as a hash, shown once).
        Every series and label is listed in docs/metrics.md, with two alert rules to paste.
      </p>
      <pre className="overflow-auto rounded-lg bg-slate-900 p-4 text-xs text-slate-100">{`scrape_configs:
  - job_name: bridgehead
    scheme: ${target.protocol.replace(":", "")}
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: /etc/prometheus/bridgehead.token
    static_configs:
      - targets: ["${target.host}"]`}</pre>
      <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm">
        <caption className="sr-only">Scrape tokens</caption>
        <thead className="bg-slate-100 text-left">
          <tr>
            <th scope="col" className="px-3 py-2">Token</th>
            <th scope="col" className="px-3 py-2">Made</th>
            <th scope="col" className="px-3 py-2">Last used</th>
            <th scope="col" className="px-3 py-2">State</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-slate-200">
              <td className="px-3 py-2">{t.name}</td>
              <td className="px-3 py-2">
                {dateTime.format(t.createdAt)} by {t.createdBy}
              </td>
              <td className="px-3 py-2">{t.lastUsedAt ? dateTime.format(t.lastUsedAt) : "never"}</td>
              <td className="px-3 py-2">
                {t.revokedAt ? `Revoked ${dateTime.format(t.revokedAt)}` : "Active"}
                {canChange && !t.revokedAt && (
                  <span className="ml-3">
                    <RowActionButton action={revokeScrapeToken} id={t.id} label="Revoke" confirm={`Revoke the scrape token “${t.name}”?`} />
                  </span>
                )}
              </td>
            </tr>
          ))}
          {tokens.length === 0 && (
            <tr>
              <td colSpan={4} className="px-3 py-4 text-center text-slate-600">
                No scrape token yet: /metrics refuses every scrape.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {canChange && <ScrapeTokenForm />}
    </div>
  );
}
