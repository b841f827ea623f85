/**
 * The fleet as Prometheus gauges, read from the database at each scrape: every tunnel end's
 * status, RTT, jitter, loss, sample age and path-MTU probe; every tenant's active warnings by
 * severity; the notification queue; the database pools (the requests' and the jobs'). Three fleet-wide statements whatever the
 * fleet's size (the newest sample of each end is one primary-key lookup by `last_sample_at`), so
 * a scrape costs the same for 10 tunnels as for 5,000 (bench/metrics.ts measures it).
 *
 * Each scrape builds its gauges in a registry of its own, so two scrapes at once never see each
 * other's half-set values; metrics() merges it with the process's counters (registry.ts).
 */
import "server-only";
import { sql } from "drizzle-orm";
import { Gauge, Registry } from "prom-client";
import type { DatabaseHandle } from "@/lib/db/client";
import { TUNNEL_STATUSES } from "@/lib/domain/status";
import { WARNING_SEVERITIES } from "@/lib/domain/status";
import { queryRows } from "@/lib/telemetry/sql";
import { processMetrics } from "./registry";

type EndRow = {
  tenant: string;
  tunnel: string;
  status: string;
  side: string | null;
  age_s: number | null;
  rtt_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  df_bytes: number | null;
  df_ok: boolean | null;
};

export async function collectFleetGauges(handle: Pick<DatabaseHandle, "db" | "kind" | "poolStats" | "backgroundPoolStats">, now: Date): Promise<Registry> {
  const registry = new Registry();
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const status = g("bridgehead_tunnel_status", "1 for the tunnel's current status, 0 for the others (tenant: slug, tunnel: name).", ["tenant", "tunnel", "status"]);
  const rtt = g("bridgehead_tunnel_rtt_seconds", "Round-trip time of the end's newest sample.", ["tenant", "tunnel", "end"]);
  const jitter = g("bridgehead_tunnel_jitter_seconds", "Jitter of the end's newest sample.", ["tenant", "tunnel", "end"]);
  const loss = g("bridgehead_tunnel_loss_ratio", "Packet loss of the end's newest sample, 0 to 1.", ["tenant", "tunnel", "end"]);
  const age = g("bridgehead_tunnel_last_sample_age_seconds", "Seconds since the end's newest sample was measured (absent: never reported).", ["tenant", "tunnel", "end"]);
  const mtuBytes = g("bridgehead_tunnel_path_mtu_probe_bytes", "Size of the end's newest don't-fragment probe (the underlay MTU the tunnel needs).", ["tenant", "tunnel", "end"]);
  const mtuOk = g("bridgehead_tunnel_path_mtu_ok", "1 when that probe crossed (path MTU at least the probe's size), 0 when it was lost.", ["tenant", "tunnel", "end"]);
  const warnings = g("bridgehead_tenant_warnings", "Active warnings of the tenant, by severity and state (open, acknowledged).", ["tenant", "severity", "state"]);
  const queue = g("bridgehead_notification_deliveries_pending", "Notifications waiting to be delivered, by channel kind.", ["channel_kind"]);
  const pool = g("bridgehead_db_pool_clients", "PostgreSQL connections of this instance's pool, by state (in_use, idle, waiting = requests queued for one).", ["state"]);
  const backgroundPool = g(
    "bridgehead_db_background_pool_clients",
    "PostgreSQL connections of this instance's background jobs' pool, by state (in_use, idle, waiting = job statements queued for one).",
    ["state"],
  );
  const info = g("bridgehead_info", "Always 1; the labels say how this instance runs.", ["database"]);

  const ends = await queryRows<EndRow>(
    handle.db,
    sql`select te.slug as tenant, t.name as tunnel, t.status::text as status, e.side::text as side,
               extract(epoch from (${now.toISOString()}::timestamptz - e.last_sample_at))::float8 as age_s,
               s.rtt_ms, s.jitter_ms, s.loss_pct, s.df_probe_bytes as df_bytes, s.df_probe_ok as df_ok
        from tunnels t
        join tenants te on te.id = t.tenant_id and te.state in ('onboarding', 'active')
        left join tunnel_endpoints e on e.tunnel_id = t.id
        left join telemetry_samples s on s.endpoint_id = e.id and s.measured_at = e.last_sample_at`,
  );
  const seen = new Set<string>();
  for (const row of ends) {
    const key = `${row.tenant}/${row.tunnel}`;
    if (!seen.has(key)) {
      seen.add(key);
      for (const s of TUNNEL_STATUSES) status.set({ tenant: row.tenant, tunnel: row.tunnel, status: s }, s === row.status ? 1 : 0);
    }
    if (!row.side) continue;
    const labels = { tenant: row.tenant, tunnel: row.tunnel, end: row.side };
    if (row.age_s !== null) age.set(labels, Math.max(0, Number(row.age_s)));
    if (row.rtt_ms !== null) rtt.set(labels, Number(row.rtt_ms) / 1000);
    if (row.jitter_ms !== null) jitter.set(labels, Number(row.jitter_ms) / 1000);
    if (row.loss_pct !== null) loss.set(labels, Number(row.loss_pct) / 100);
    if (row.df_bytes !== null) mtuBytes.set(labels, Number(row.df_bytes));
    if (row.df_ok !== null) mtuOk.set(labels, row.df_ok ? 1 : 0);
  }

  const counts = await queryRows<{ tenant: string; severity: string | null; state: string | null; n: number }>(
    handle.db,
    sql`select te.slug as tenant, w.severity::text as severity, w.state::text as state, count(w.id)::int as n
        from tenants te
        left join warnings w on w.tenant_id = te.id and w.state <> 'resolved'
        where te.state in ('onboarding', 'active')
        group by te.slug, w.severity, w.state`,
  );
  // Zeros too, so an alert on "> 0" has a series to evaluate and a dashboard draws a line at 0.
  for (const tenant of new Set(counts.map((c) => c.tenant))) {
    for (const severity of WARNING_SEVERITIES) for (const state of ["open", "acknowledged"]) warnings.set({ tenant, severity, state }, 0);
  }
  for (const c of counts) if (c.severity && c.state) warnings.set({ tenant: c.tenant, severity: c.severity, state: c.state }, c.n);

  const pending = await queryRows<{ kind: string; n: number }>(
    handle.db,
    sql`select c.kind::text as kind, count(d.id)::int as n
        from notification_channels c left join notification_deliveries d on d.channel_id = c.id and d.status = 'pending'
        group by c.kind`,
  );
  for (const p of pending) queue.set({ channel_kind: p.kind }, p.n);

  for (const [gauge, stats] of [
    [pool, handle.poolStats()],
    [backgroundPool, handle.backgroundPoolStats()],
  ] as const) {
    if (!stats) continue;
    gauge.set({ state: "in_use" }, stats.total - stats.idle);
    gauge.set({ state: "idle" }, stats.idle);
    gauge.set({ state: "waiting" }, stats.waiting);
  }
  info.set({ database: handle.kind }, 1);
  return registry;
}

/** The whole exposition: this process's counters and the fleet's gauges, in Prometheus' text format. */
export async function renderMetrics(handle: Pick<DatabaseHandle, "db" | "kind" | "poolStats" | "backgroundPoolStats">, now: Date): Promise<{ body: string; contentType: string }> {
  const fleet = await collectFleetGauges(handle, now);
  const merged = Registry.merge([processMetrics().registry, fleet]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
