/**
 * The tenant page's live data through the real route handlers: one tunnel's series and paths,
 * and a tenant's warnings. Who may read them (the tenant's own users, operators; nobody else),
 * what a bad range is told, and that the answers carry what the page draws.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as getWarnings } from "@/app/api/v1/tenants/[slug]/warnings/route";
import { GET as getPaths } from "@/app/api/v1/tunnels/[id]/paths/route";
import { GET as getSeries } from "@/app/api/v1/tunnels/[id]/series/route";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels, warnings, type PathHop } from "@/lib/db/schema";
import type { PathComparison, TunnelSeries } from "@/lib/queries/tunnel-telemetry";
import type { TenantWarnings } from "@/lib/queries/warnings";
import { callRoute, useTestApp, type Persona } from "./support/personas";

let db: Database;
const contoso = { tenantId: "", tunnelId: "", source: "", avs: "" };
let fabrikamTunnelId = "";
const MIN = 60_000;

const hops = (...addresses: (string | null)[]): PathHop[] => addresses.map((address, i) => ({ ttl: i + 1, address, rttMs: (i + 1) * 1.5 }));

async function tunnelOf(slug: string) {
  const [row] = await db
    .select({ tenantId: tenants.id, tunnelId: tunnels.id })
    .from(tunnels)
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(eq(tenants.slug, slug))
    .orderBy(tunnels.ordinal)
    .limit(1);
  return row!;
}

afterAll(() => {
  vi.useRealTimers();
});

beforeAll(async () => {
  // The routes judge freshness against the clock ("now" in the current rates, the default 24 h
  // window), and the samples below are written relative to it. Held still for the whole file,
  // so a slow machine cannot age a sample written "a minute ago" past the 90 s a rate stays current.
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  db = await useTestApp();
  const c = await tunnelOf("contoso");
  contoso.tenantId = c.tenantId;
  contoso.tunnelId = c.tunnelId;
  fabrikamTunnelId = (await tunnelOf("fabrikam")).tunnelId;
  const ends = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, c.tunnelId));
  contoso.source = ends.find((e) => e.side === "source")!.id;
  contoso.avs = ends.find((e) => e.side === "avs")!.id;
  // A tenant objective that is not the default, so the test can tell it came from the tenant.
  await db.update(tenants).set({ latencyObjectiveMs: 35 }).where(eq(tenants.id, contoso.tenantId));

  const now = Date.now();
  const at = (msAgo: number) => new Date(now - msAgo);
  await db.insert(telemetrySamples).values([
    // Half an hour of samples from each end; the source's newest RTT is over the objective.
    // Its counters send 1 Mbit/s toward AVS and receive 0.5 Mbit/s, until its agent restarts 10 minutes ago.
    ...Array.from({ length: 30 }, (_, i) => ({
      endpointId: contoso.source,
      measuredAt: at((30 - i) * MIN),
      rttMs: 12 + i / 10,
      jitterMs: 0.5,
      lossPct: 0,
      ...(i < 20 ? { txBytes: 7_500_000 * (i + 1), rxBytes: 3_750_000 * (i + 1), txPackets: 7_500 * (i + 1), rxPackets: 3_750 * (i + 1) } : { txBytes: 7_500_000 * (i - 19), rxBytes: 3_750_000 * (i - 19), txPackets: 7_500 * (i - 19), rxPackets: 3_750 * (i - 19) }),
    })),
    { endpointId: contoso.source, measuredAt: at(20_000), rttMs: 41.23456, jitterMs: 3.1, lossPct: 1.5, path: hops("192.0.2.1", "198.51.100.1", "203.0.113.1", "10.120.8.10") },
    ...Array.from({ length: 30 }, (_, i) => ({ endpointId: contoso.avs, measuredAt: at((30 - i) * MIN + 5_000), rttMs: 13, jitterMs: 0.6, lossPct: 0 })),
    // The reverse path crosses a different network at the second hop from the source.
    { endpointId: contoso.avs, measuredAt: at(25_000), rttMs: 13, path: hops("203.0.113.9", "100.64.7.1", "192.0.2.77", "198.51.100.10") },
    // Samples older than the hour: outside a 1 h chart.
    { endpointId: contoso.source, measuredAt: at(3 * 3_600_000), rttMs: 999 },
  ]);
});

const seriesOf = (as: Persona, tunnelId: string, range: string | null | URLSearchParams) =>
  callRoute(getSeries as never, {
    as,
    path: `/api/v1/tunnels/${tunnelId}/series${range === null ? "" : range instanceof URLSearchParams ? `?${range}` : `?range=${encodeURIComponent(range)}`}`,
    params: { id: tunnelId },
  });

describe("GET /api/v1/tunnels/{id}/series", () => {
  it.each<[Persona, "contoso" | "fabrikam", number]>([
    ["alice", "contoso", 200],
    ["alice", "fabrikam", 404],
    ["bob", "contoso", 404],
    ["noc", "contoso", 200],
    ["admin", "fabrikam", 200],
    ["display", "contoso", 404],
    ["anonymous", "contoso", 401],
  ])("answers %s for %s's tunnel with %i, never cached", async (as, tenant, status) => {
    const response = await seriesOf(as, tenant === "contoso" ? contoso.tunnelId : fabrikamTunnelId, "1h");
    expect(response.status).toBe(status);
    expect(response.headers.get("cache-control")).toBe("no-store");
    if (status !== 200) expect(await response.text()).not.toContain("contoso-gw1");
  });

  it("gives the hour's points from both ends, the tunnel's health and the tenant's objective", async () => {
    const response = await seriesOf("alice", contoso.tunnelId, "1h");
    const body = (await response.json()) as TunnelSeries;
    expect(body.latencyObjectiveMs).toBe(35);
    expect(body.range).toEqual({ preset: "1h" });
    expect(body.window).toMatchObject({ live: true, spoken: "the last hour" });
    expect(body.resolution).toBe("raw");
    expect(body.to - body.from).toBe(3_600_000);
    expect(body.series.map((s) => [s.side, s.points.length])).toEqual([
      ["source", 31],
      ["avs", 31],
    ]);
    // Older samples stay out; points are in time order; values are rounded for the wire.
    const source = body.series[0]!.points;
    expect(source.every((p) => p.at >= body.from && p.at <= body.to)).toBe(true);
    expect(source.map((p) => p.at)).toEqual([...source.map((p) => p.at)].sort((a, b) => a - b));
    expect(source.at(-1)).toMatchObject({ rttMs: 41.235, jitterMs: 3.1, lossPct: 1.5 });
    expect(body.tunnel).toMatchObject({ id: contoso.tunnelId, name: "primary" });
    expect(body.ends.map((e) => [e.side, e.latest?.rttMs])).toEqual([
      ["source", 41.235],
      ["avs", 13],
    ]);
    // The line breaks only where the agents were silent longer than the stale threshold (3 × 30 s).
    expect(body.gapMs).toBe(90_000);
    // Contoso has one tunnel: no pair, no roles.
    expect(body.pairRole).toBeNull();
    expect(body.ends.map((e) => e.pair)).toEqual([null, null]);
  });

  it("says what each tunnel of a pair does, from its ends' recent role reports", async () => {
    // Tailspin has two tunnels: tunnel 2's gateway has just taken over, its edge bridge has not yet.
    const pairTunnels = await db
      .select({ id: tunnels.id, ordinal: tunnels.ordinal })
      .from(tunnels)
      .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
      .where(eq(tenants.slug, "tailspin"))
      .orderBy(tunnels.ordinal);
    expect(pairTunnels).toHaveLength(2);
    const since = new Date(Date.now() - 4_000);
    const report = (pairRole: "active" | "standby" | "fault", pairReason: string) => ({ pairRole, pairSince: since, pairReason, pairReportedAt: new Date() });
    const set = (tunnelId: string, side: "source" | "avs", values: ReturnType<typeof report>) =>
      db.update(tunnelEndpoints).set(values).where(and(eq(tunnelEndpoints.tunnelId, tunnelId), eq(tunnelEndpoints.side, side)));
    await set(pairTunnels[0]!.id, "source", report("fault", "tunnel-silent"));
    await set(pairTunnels[0]!.id, "avs", report("active", "elected"));
    await set(pairTunnels[1]!.id, "source", report("active", "elected"));
    await set(pairTunnels[1]!.id, "avs", report("standby", "peer-active"));
    const first = (await (await seriesOf("admin", pairTunnels[0]!.id, "1h")).json()) as TunnelSeries;
    expect(first.pairRole).toBe("fault");
    expect(first.ends.map((e) => [e.side, e.pair?.role, e.pair?.reason])).toEqual([
      ["source", "fault", "tunnel-silent"],
      ["avs", "active", "elected"],
    ]);
    const second = (await (await seriesOf("admin", pairTunnels[1]!.id, "1h")).json()) as TunnelSeries;
    expect(second.pairRole).toBe("half");
  });

  it("reads a month from hourly roll-ups, not raw samples", async () => {
    const body = (await (await seriesOf("admin", contoso.tunnelId, "30d")).json()) as TunnelSeries;
    expect(body.resolution).toBe("1h");
    expect(body.to - body.from).toBe(30 * 86_400_000);
    expect(body.gapMs).toBeGreaterThanOrEqual(body.bucketMs! * 1.5);
  });

  it("reads a custom window exactly, every point inside it", async () => {
    const from = new Date(Date.now() - 25 * MIN).toISOString();
    const to = new Date(Date.now() - 15 * MIN).toISOString();
    const body = (await (await seriesOf("alice", contoso.tunnelId, new URLSearchParams({ from, to }))).json()) as TunnelSeries;
    expect([body.from, body.to]).toEqual([Date.parse(from), Date.parse(to)]);
    expect(body.window.live).toBe(false);
    expect(body.range).toEqual({ from, to });
    // Samples every minute from 30 minutes ago: 10 minutes hold 10 or 11 of each end.
    for (const s of body.series) {
      expect(s.points.length).toBeGreaterThanOrEqual(10);
      expect(s.points.every((p) => p.at >= body.from && p.at <= body.to)).toBe(true);
    }
  });

  it("charts throughput per end from the counters, breaking at the agent's restart, and gives each end's current rate", async () => {
    const body = (await (await seriesOf("alice", contoso.tunnelId, "1h")).json()) as TunnelSeries;
    const source = body.throughput.series.find((s) => s.side === "source")!;
    const measured = source.points.filter((p) => p.txBps !== null);
    expect(measured.length).toBeGreaterThan(20);
    // 7.5 MB a minute is 1 Mbit/s; 3.75 MB is 0.5 Mbit/s. Never negative, never a spike at the restart.
    for (const p of measured) {
      expect(p.txBps).toBeCloseTo(1_000_000, -1);
      expect(p.rxBps).toBeCloseTo(500_000, -1);
      expect(p.txPps).toBeCloseTo(125, 0);
    }
    // The minute across the restart has no rate: a gap in the line.
    const restart = Date.now() - 10 * MIN;
    const gap = source.points.filter((p) => p.at > restart - 2 * MIN && p.at < restart && p.txBps === null);
    expect(gap.length).toBeGreaterThan(0);
    expect(body.throughput.series.find((s) => s.side === "avs")!.points.every((p) => p.txBps === null)).toBe(true);
    // The source's newest counters are a minute old: fresh (stale after 90 s), so it has a current rate.
    expect(body.ends.find((e) => e.side === "source")!.rate).toMatchObject({ txBps: 1_000_000, rxBps: 500_000, txPps: 125, rxPps: 62.5 });
    expect(body.ends.find((e) => e.side === "avs")!.rate).toBeNull();
    expect(source.points.length).toBeLessThanOrEqual(500);
  });

  it("reads a week's throughput from one sample per bucket, at the same rate as every sample gives", async () => {
    // Fabrikam's tunnel: three hours of samples every minute, 2 Mbit/s out, no restart.
    const [source] = await db.select().from(tunnelEndpoints).where(and(eq(tunnelEndpoints.tunnelId, fabrikamTunnelId), eq(tunnelEndpoints.side, "source")));
    const start = Date.now() - 180 * MIN;
    await db.insert(telemetrySamples).values(
      Array.from({ length: 180 }, (_, i) => ({ endpointId: source!.id, measuredAt: new Date(start + i * MIN), rttMs: 10, txBytes: 15_000_000 * i, rxBytes: 0, txPackets: 1_000 * i, rxPackets: 0 })),
    );
    const week = (await (await seriesOf("admin", fabrikamTunnelId, "7d")).json()) as TunnelSeries;
    const hour = (await (await seriesOf("admin", fabrikamTunnelId, "1h")).json()) as TunnelSeries;
    const sent = (body: TunnelSeries) => body.throughput.series.find((s) => s.side === "source")!.points.filter((p) => p.txBps !== null);
    expect(week.throughput.bucketMs).toBeGreaterThan(10 * MIN);
    expect(sent(week).length).toBeGreaterThanOrEqual(5);
    expect(sent(week).length).toBeLessThanOrEqual(500);
    for (const p of [...sent(week), ...sent(hour)]) expect(p.txBps).toBeCloseTo(2_000_000, -1);
    expect(sent(hour).length).toBeGreaterThan(sent(week).length);
  });

  it("reads the 24-hour default range when none is given", async () => {
    const body = (await (await seriesOf("alice", contoso.tunnelId, null)).json()) as TunnelSeries;
    expect(body.range).toEqual({ preset: "24h" });
    expect(body.to - body.from).toBe(24 * 3_600_000);
  });

  it.each([
    [new URLSearchParams({ from: "now-1h", to: "now-2h" }), /must be before to .*swap them/],
    [new URLSearchParams({ from: "yesterday", to: "now" }), /from "yesterday" is not a time/],
    [new URLSearchParams({ from: "now-900d", to: "now" }), /at most 400 days/],
    [new URLSearchParams({ range: "1h", from: "now-2h" }), /either range or from and to/],
  ])("refuses the custom range %s with 400 and says what to change", async (query, message) => {
    const response = await seriesOf("alice", contoso.tunnelId, query);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(message);
  });

  it.each([
    ["2h", 'range "2h" is not known: use one of 1h, 6h, 24h, 7d, 30d, or from and to.'],
    ["", 'range "" is not known: use one of 1h, 6h, 24h, 7d, 30d, or from and to.'],
    ["__proto__", 'range "__proto__" is not known: use one of 1h, 6h, 24h, 7d, 30d, or from and to.'],
  ])("refuses range %j with 400 and says which ranges work", async (range, message) => {
    const response = await seriesOf("alice", contoso.tunnelId, range);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: message, detail: message });
  });

  it("checks access before the range: another tenant's tunnel is 404 whatever the range", async () => {
    expect((await seriesOf("alice", fabrikamTunnelId, "bogus")).status).toBe(404);
  });

  it("answers 404 for a malformed or unknown tunnel id", async () => {
    expect((await seriesOf("admin", "not-a-uuid", "1h")).status).toBe(404);
    expect((await seriesOf("admin", "00000000-0000-4000-8000-000000000000", "1h")).status).toBe(404);
  });
});

const pathsOf = (as: Persona, tunnelId: string) => callRoute(getPaths as never, { as, path: `/api/v1/tunnels/${tunnelId}/paths`, params: { id: tunnelId } });

describe("GET /api/v1/tunnels/{id}/paths", () => {
  it.each<[Persona, "contoso" | "fabrikam", number]>([
    ["alice", "contoso", 200],
    ["alice", "fabrikam", 404],
    ["noc", "contoso", 200],
    ["display", "contoso", 404],
    ["anonymous", "contoso", 401],
  ])("answers %s for %s's tunnel with %i", async (as, tenant, status) => {
    const response = await pathsOf(as, tenant === "contoso" ? contoso.tunnelId : fabrikamTunnelId);
    expect(response.status).toBe(status);
    if (status !== 200) expect(await response.text()).not.toContain("192.0.2");
  });

  it("lines the reverse path up backwards beside the forward one and marks where they differ", async () => {
    const body = (await (await pathsOf("alice", contoso.tunnelId)).json()) as PathComparison;
    expect(body.forward).toMatchObject({ side: "source", hostname: "contoso-gw1" });
    expect(body.reverse).toMatchObject({ side: "avs", hostname: "contoso-bridge1" });
    expect(body.hops.map((h) => [h.hop, h.forward?.address, h.reverse?.address, h.differs])).toEqual([
      [1, "192.0.2.1", "192.0.2.77", false],
      [2, "198.51.100.1", "100.64.7.1", true],
      [3, "203.0.113.1", "203.0.113.9", false],
    ]);
    expect(body.firstDifference).toBe(2);
  });

  it("compares nothing when only one direction is known, and ignores a path traced more than a day ago", async () => {
    const ends = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, fabrikamTunnelId));
    const source = ends.find((e) => e.side === "source")!.id;
    const avs = ends.find((e) => e.side === "avs")!.id;
    await db.insert(telemetrySamples).values([
      // 50 s, not a whole minute: the file's clock stands still, and the week-of-throughput test writes this end a sample every minute.
      { endpointId: source, measuredAt: new Date(Date.now() - 50_000), path: hops("192.0.2.1", "10.120.8.11") },
      { endpointId: avs, measuredAt: new Date(Date.now() - 25 * 3_600_000), path: hops("100.64.0.1", "198.51.100.20") },
      // A newer sample without a path does not hide the older one that has it.
      { endpointId: source, measuredAt: new Date(Date.now() - 30_000), rttMs: 9 },
    ]);
    const body = (await (await pathsOf("admin", fabrikamTunnelId)).json()) as PathComparison;
    expect(body.forward?.hops.map((h) => h.address)).toEqual(["192.0.2.1", "10.120.8.11"]);
    expect(body).toMatchObject({ reverse: null, hops: [], firstDifference: null });
  });
});

describe("GET /api/v1/tenants/{slug}/warnings", () => {
  beforeAll(async () => {
    const base = { tenantId: contoso.tenantId, tunnelId: contoso.tunnelId, message: "m" };
    await db.insert(warnings).values([
      { ...base, kind: "loss", severity: "warning", dedupeKey: "t:loss", openedAt: new Date(Date.now() - 10 * MIN) },
      { ...base, kind: "stale", severity: "critical", dedupeKey: "t:stale", state: "resolved", resolvedAt: new Date(), resolvedBy: "system" },
    ]);
  });

  it.each<[Persona, string, number]>([
    ["alice", "contoso", 200],
    ["bob", "contoso", 404],
    ["noc", "contoso", 200],
    ["display", "contoso", 404],
  ])("answers %s for %s with %i", async (as, slug, status) => {
    const response = await callRoute(getWarnings as never, { as, path: `/api/v1/tenants/${slug}/warnings`, params: { slug } });
    expect(response.status).toBe(status);
    if (status !== 200) expect(await response.text()).not.toContain("t:loss");
  });

  it("lists the open warning as active and the resolved one as past", async () => {
    const response = await callRoute(getWarnings as never, { as: "alice", path: "/api/v1/tenants/contoso/warnings", params: { slug: "contoso" } });
    const body = (await response.json()) as TenantWarnings;
    expect(body.active.map((w) => [w.kind, w.state, w.tunnelName])).toEqual([["loss", "open", "primary"]]);
    expect(body.past.map((w) => [w.kind, w.resolvedBy])).toEqual([["stale", "system"]]);
  });
});
