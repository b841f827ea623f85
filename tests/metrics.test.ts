/**
 * GET /metrics as Prometheus reads it: the exposition parsed by a Prometheus text-format parser,
 * every tunnel end's gauges equal to what its agents reported (through the real ingest), the
 * tenants' warning counts, and label values that are identifiers, never free text.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { tunnels, warnings } from "@/lib/db/schema";
import { renderMetrics } from "@/lib/metrics/fleet-gauges";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { describeEachDatabase } from "./support/databases";
import { createTunnels, type TestTunnel } from "./support/telemetry-fixtures";

type Family = { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[] };

/** Label names the documentation promises for bridgehead_* series (docs/metrics.md). */
const DOCUMENTED_LABELS = new Set(["tenant", "tunnel", "end", "status", "severity", "state", "channel_kind", "database", "code", "method", "job", "resolution", "result", "le"]);

describeEachDatabase("GET /metrics", ({ handle }) => {
  let fleet: TestTunnel[];
  const now = new Date();
  beforeAll(async () => {
    const db = handle().db;
    fleet = await createTunnels(db, 3);
    // The first tunnel's ends report through the real ingest; the second's only the source; the third never.
    const measuredAt = new Date(now.getTime() - 42_000);
    const sample = (rttMs: number, lossPct: number, ok: boolean) => ({ measuredAt: measuredAt.toISOString(), rttMs, jitterMs: 1.5, lossPct, dfProbe: { bytes: 1500, ok } });
    for (const [endpointId, side, values] of [
      [fleet[0]!.source, "source", sample(12.5, 0, true)],
      [fleet[0]!.avs, "avs", sample(13.5, 2, false)],
      [fleet[1]!.source, "source", sample(80, 50, true)],
    ] as const) {
      const result = await ingestSamples(db, { endpointId, tunnelId: "", tenantId: "", side, tokenUsed: "current" as const, tokenHash: "" }, [values as never], now);
      expect(result).toMatchObject({ ok: true, accepted: 1 });
    }
    await db.update(tunnels).set({ status: "degraded" }).where(eq(tunnels.id, fleet[1]!.tunnelId));
    await db.insert(warnings).values([
      { tenantId: fleet[1]!.tenantId, tunnelId: fleet[1]!.tunnelId, kind: "loss", severity: "critical", dedupeKey: `loss:${fleet[1]!.tunnelId}`, message: "Loss 50 %" },
      { tenantId: fleet[1]!.tenantId, tunnelId: null, kind: "tromboning", severity: "warning", state: "acknowledged", dedupeKey: `tromboning:${fleet[1]!.tenantId}`, message: "Tromboning" },
    ]);
  });

  async function scrape() {
    const { body, contentType } = await renderMetrics(handle(), now);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusTextFormat(body) as Family[];
  }
  const tunnelNameOf = async (i: number) => {
    const rows = await handle().db.select({ name: tunnels.name }).from(tunnels).where(eq(tunnels.id, fleet[i]!.tunnelId));
    return rows[0]!.name;
  };

  it("reports each tunnel end's newest sample in base units, and each tunnel's one status", async () => {
    const families = await scrape();
    const family = (name: string) => families.find((f) => f.name === name)!;
    const value = (name: string, labels: Record<string, string>) =>
      family(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;

    const tenants = await handle().db.query.tenants.findMany();
    const slugOf = (i: number) => tenants.find((t) => t.id === fleet[i]!.tenantId)!.slug;
    const tunnelName = await tunnelNameOf(0);
    const first = { tenant: slugOf(0), tunnel: tunnelName };
    expect(Number(value("bridgehead_tunnel_rtt_seconds", { ...first, end: "source" }))).toBeCloseTo(0.0125, 6);
    expect(Number(value("bridgehead_tunnel_rtt_seconds", { ...first, end: "avs" }))).toBeCloseTo(0.0135, 6);
    expect(Number(value("bridgehead_tunnel_jitter_seconds", { ...first, end: "avs" }))).toBeCloseTo(0.0015, 6);
    expect(Number(value("bridgehead_tunnel_loss_ratio", { ...first, end: "avs" }))).toBeCloseTo(0.02, 6);
    expect(Number(value("bridgehead_tunnel_last_sample_age_seconds", { ...first, end: "source" }))).toBeCloseTo(42, 3);
    expect(value("bridgehead_tunnel_path_mtu_probe_bytes", { ...first, end: "source" })).toBe("1500");
    expect(value("bridgehead_tunnel_path_mtu_ok", { ...first, end: "source" })).toBe("1");
    expect(value("bridgehead_tunnel_path_mtu_ok", { ...first, end: "avs" })).toBe("0");
    // An end that never reported has no sample gauges, rather than a made-up zero.
    const third = { tenant: slugOf(2), tunnel: tunnelName };
    expect(value("bridgehead_tunnel_rtt_seconds", { ...third, end: "source" })).toBeUndefined();
    expect(value("bridgehead_tunnel_last_sample_age_seconds", { ...third, end: "avs" })).toBeUndefined();

    // One status per tunnel is 1, the others 0, for every status there is.
    for (const i of [0, 1, 2]) {
      const mine = family("bridgehead_tunnel_status").metrics.filter((m) => m.labels?.tenant === slugOf(i));
      expect(mine.map((m) => m.labels!.status).sort()).toEqual(["degraded", "down", "maintenance", "operational", "stale"]);
      expect(mine.filter((m) => m.value === "1").map((m) => m.labels!.status)).toEqual([i === 1 ? "degraded" : "stale"]);
    }

    const second = slugOf(1);
    expect(value("bridgehead_tenant_warnings", { tenant: second, severity: "critical", state: "open" })).toBe("1");
    expect(value("bridgehead_tenant_warnings", { tenant: second, severity: "warning", state: "acknowledged" })).toBe("1");
    expect(value("bridgehead_tenant_warnings", { tenant: second, severity: "info", state: "open" })).toBe("0");
    expect(value("bridgehead_tenant_warnings", { tenant: slugOf(0), severity: "critical", state: "open" })).toBe("0");
  });

  it("carries the process's own series: event-loop delay, job rounds, and the instance's database", async () => {
    const families = await scrape();
    const names = new Set(families.map((f) => f.name));
    for (const name of ["nodejs_eventloop_lag_seconds", "bridgehead_ingest_samples_total", "bridgehead_job_round_duration_seconds", "bridgehead_azure_requests_total", "bridgehead_info"]) {
      expect(names, name).toContain(name);
    }
    expect(families.find((f) => f.name === "bridgehead_info")!.metrics).toEqual([{ labels: { database: handle().kind }, value: "1" }]);
  });

  it("names only documented labels, and every label value is an identifier, never free text", async () => {
    for (const family of (await scrape()).filter((f) => f.name.startsWith("bridgehead_"))) {
      for (const metric of family.metrics) {
        for (const [name, value] of Object.entries(metric.labels ?? {})) {
          expect(DOCUMENTED_LABELS, `${family.name}{${name}}`).toContain(name);
          expect(value, `${family.name}{${name}}`).toMatch(/^[A-Za-z0-9_.+-]+$/);
        }
      }
    }
  });
});
