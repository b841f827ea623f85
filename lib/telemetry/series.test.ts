import { eq, lt, ne } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnels } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertRollups, insertSamples, resetTelemetry, type SampleRow, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { rollUpMinutes } from "./rollup";
import { chartSeries, chooseResolution, latestByEndpoint, SERIES_LIMITS, sparklines, sparklineValues } from "./series";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date("2026-11-21T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe("choosing a chart's resolution", () => {
  it("reads raw samples for an hour, minutes for a day, hours for a week and a month", () => {
    const pick = (span: number, endsAgo = 0) => chooseResolution({ from: ago(span + endsAgo), to: ago(endsAgo), now: NOW });
    expect(pick(HOUR)).toEqual({ resolution: "raw", bucketMs: null });
    expect(pick(DAY)).toEqual({ resolution: "1m", bucketMs: MINUTE });
    expect(pick(7 * DAY)).toEqual({ resolution: "1h", bucketMs: HOUR });
    expect(pick(30 * DAY)).toEqual({ resolution: "1h", bucketMs: HOUR });
    // Two days of minutes would be 2880 points: pairs of minutes are merged.
    expect(pick(2 * DAY)).toEqual({ resolution: "1m", bucketMs: 2 * MINUTE });
    // Raw samples are gone after a week, minutes after 35 days: the next coarser data is read.
    expect(pick(HOUR, 9 * DAY)).toEqual({ resolution: "1m", bucketMs: MINUTE });
    expect(pick(DAY, 40 * DAY)).toEqual({ resolution: "1h", bucketMs: HOUR });
  });

  it("never asks for more than the point budget from roll-ups, whatever the range", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: SERIES_LIMITS.maxRangeMs }), fc.integer({ min: 0, max: 60 * DAY }), (span, endsAgo) => {
        const { resolution, bucketMs } = chooseResolution({ from: ago(span + endsAgo), to: ago(endsAgo), now: NOW });
        if (resolution === "raw") expect(span).toBeLessThanOrEqual(SERIES_LIMITS.rawUpToMs);
        else expect(span / bucketMs!).toBeLessThanOrEqual(SERIES_LIMITS.maxPoints);
      }),
    );
  });
});

describe("sparkline values", () => {
  it("lays a series on its frame, with null where a bucket has no point", () => {
    const frame = { start: ago(4 * MINUTE), bucketMs: 2 * MINUTE, buckets: 3 };
    expect(sparklineValues([{ at: ago(4 * MINUTE), rttMs: 5 }, { at: NOW, rttMs: null }], frame)).toEqual([5, null, null]);
    expect(sparklineValues([{ at: ago(2 * MINUTE), rttMs: 7 }, { at: ago(10 * MINUTE), rttMs: 1 }], frame)).toEqual([null, 7, null]);
  });
});

describeEachDatabase("telemetry series", ({ handle }) => {
  let db: Database;
  let tunnel: TestTunnel;
  let quiet: TestTunnel;

  // Raw samples every 30 s for 3 h; 1-minute buckets for 50 h; 1-hour buckets for 35 days.
  const rawRtt = (side: number, k: number) => 10 * side + (k % 7);
  const minuteOf = (k: number) => ({ samples: 1 + (k % 3), rtt: k % 10 });
  beforeAll(async () => {
    db = handle().db;
    await resetTelemetry(db);
    [tunnel, quiet] = (await createTunnels(db, 2)) as [TestTunnel, TestTunnel];
    const sides = [tunnel.source, tunnel.avs];
    await insertSamples(
      db,
      sides.flatMap((endpointId, side) =>
        Array.from({ length: 360 }, (_, k) => ({ endpointId, measuredAt: ago(k * 30_000), receivedAt: ago(k * 30_000), rttMs: rawRtt(side + 1, k), jitterMs: 1, lossPct: 0 })),
      ),
    );
    await insertRollups(
      db,
      sides.flatMap((endpointId) => [
        ...Array.from({ length: 3000 }, (_, k) => {
          const { samples, rtt } = minuteOf(k);
          return { endpointId, resolution: "1m" as const, bucketStart: ago(k * MINUTE), samples, rttSamples: samples, rttAvgMs: rtt, rttMinMs: rtt - 1, rttMaxMs: rtt + 1 };
        }),
        ...Array.from({ length: 35 * 24 }, (_, k) => ({ endpointId, resolution: "1h" as const, bucketStart: ago(k * HOUR), samples: 360, rttSamples: 360, rttAvgMs: 30 + (k % 4) })),
      ]),
    );
  });

  const inside = (points: { at: Date }[], from: Date, to: Date) => points.every((p) => p.at >= from && p.at <= to);
  const sorted = (points: { at: Date }[]) => points.every((p, i) => i === 0 || points[i - 1]!.at < p.at);

  it.each([
    ["1 h", HOUR, "raw", 121],
    ["24 h", DAY, "1m", 1441],
    ["7 d", 7 * DAY, "1h", 169],
    ["30 d", 30 * DAY, "1h", 721],
    ["48 h", 2 * DAY, "1m", 1441],
  ] as const)("reads %s from %s data: both sides, sorted, inside the range", async (_, span, resolution, count) => {
    const from = ago(span);
    const chart = await chartSeries(db, { tunnelId: tunnel.tunnelId, from, to: NOW, now: NOW });
    expect(chart.resolution).toBe(resolution);
    expect(chart.series.map((s) => [s.side, s.endpointId])).toEqual([
      ["source", tunnel.source],
      ["avs", tunnel.avs],
    ]);
    for (const { points } of chart.series) {
      expect(points).toHaveLength(count);
      expect(points.length).toBeLessThanOrEqual(SERIES_LIMITS.maxPoints);
      expect(inside(points, from, NOW)).toBe(true);
      expect(sorted(points)).toBe(true);
    }
  });

  it("returns the values stored, and merges buckets weighted by their samples", async () => {
    const hour = await chartSeries(db, { tunnelId: tunnel.tunnelId, from: ago(HOUR), to: NOW, now: NOW });
    expect(hour.series[1]!.points.at(-1)).toEqual({ at: NOW, rttMs: rawRtt(2, 0), rttMin: rawRtt(2, 0), rttMax: rawRtt(2, 0), jitterMs: 1, lossPct: 0, samples: 1 });
    expect(hour.series[0]!.points[0]!.rttMs).toBe(rawRtt(1, 120));

    const day = await chartSeries(db, { endpointIds: [tunnel.source], from: ago(DAY), to: NOW, now: NOW });
    expect(day.series).toHaveLength(1);
    expect(day.series[0]!.points[0]).toMatchObject({ at: ago(DAY), rttMs: minuteOf(1440).rtt, samples: minuteOf(1440).samples });

    const twoDays = await chartSeries(db, { endpointIds: [tunnel.source], from: ago(2 * DAY), to: NOW, now: NOW });
    expect(twoDays.bucketMs).toBe(2 * MINUTE);
    // The first point merges the minutes 2880 and 2879 minutes ago.
    const [older, newer] = [minuteOf(2880), minuteOf(2879)];
    const first = twoDays.series[0]!.points[0]!;
    expect(first.at).toEqual(ago(2 * DAY));
    expect(first.samples).toBe(older.samples + newer.samples);
    expect(first.rttMs).toBeCloseTo((older.rtt * older.samples + newer.rtt * newer.samples) / (older.samples + newer.samples), 9);
    expect([first.rttMin, first.rttMax]).toEqual([Math.min(older.rtt, newer.rtt) - 1, Math.max(older.rtt, newer.rtt) + 1]);
  });

  it("gives an endpoint without data an empty series, leaves unknown ids out, and refuses a bad query", async () => {
    const chart = await chartSeries(db, { endpointIds: [quiet.source, "00000000-0000-4000-8000-000000000000"], from: ago(DAY), to: NOW, now: NOW });
    expect(chart.series).toEqual([{ endpointId: quiet.source, tunnelId: quiet.tunnelId, side: "source", points: [] }]);

    const query = { tunnelId: tunnel.tunnelId, from: ago(HOUR), to: NOW, now: NOW };
    await expect(chartSeries(db, { ...query, from: NOW, to: ago(HOUR) })).rejects.toThrow("from must be before to.");
    await expect(chartSeries(db, { ...query, from: new Date("nonsense") })).rejects.toThrow(RangeError);
    await expect(chartSeries(db, { ...query, from: ago(500 * DAY) })).rejects.toThrow("The range may span at most 400 days");
    await expect(chartSeries(db, { ...query, tunnelId: "1; drop table tunnels" })).rejects.toThrow("Use an id as the console shows it (a UUID).");
    await expect(chartSeries(db, { endpointIds: [], from: ago(HOUR), to: NOW, now: NOW })).rejects.toThrow("Name at least one endpoint.");
    await expect(chartSeries(db, { ...query, endpointIds: [tunnel.source] } as never)).rejects.toThrow("Give either tunnelId or endpointIds");
  });

  it("finds the newest sample of each endpoint in one query, for the endpoints named or for all", async () => {
    const latest = await latestByEndpoint(db, [tunnel.source, tunnel.avs, quiet.source]);
    expect([...latest.keys()].sort()).toEqual([tunnel.source, tunnel.avs].sort());
    expect(latest.get(tunnel.avs)).toMatchObject({ endpointId: tunnel.avs, measuredAt: NOW, rttMs: rawRtt(2, 0) });
    const all = await latestByEndpoint(db);
    expect(all.get(tunnel.source)?.measuredAt).toEqual(NOW);
    expect(all.has(quiet.avs)).toBe(false);
    expect(await latestByEndpoint(db, [])).toEqual(new Map());
    await expect(latestByEndpoint(db, ["not-a-uuid"])).rejects.toThrow('Not an endpoint id: "not-a-uuid". Use the endpoint\'s UUID.');
  });
});

describeEachDatabase("NOC sparklines", ({ handle }) => {
  let db: Database;
  let busy: TestTunnel;
  let fresh: TestTunnel;
  let silent: TestTunnel;
  let gone: TestTunnel;
  const raw: SampleRow[] = [];

  beforeAll(async () => {
    db = handle().db;
    await resetTelemetry(db);
    [busy, fresh, silent, gone] = (await createTunnels(db, 4)) as [TestTunnel, TestTunnel, TestTunnel, TestTunnel];
    await db.update(tenants).set({ state: "offboarded" }).where(eq(tenants.id, gone.tenantId));
    // The busy tunnel: both ends every 10 s for 70 minutes, received a second later.
    for (const [side, endpointId] of [busy.source, busy.avs].entries()) {
      for (let k = 0; k < 420; k++) {
        const measuredAt = ago(k * 10_000);
        raw.push({ endpointId, measuredAt, receivedAt: new Date(measuredAt.getTime() + 1_000), rttMs: 5 + side * 3 + (k % 6) });
      }
    }
    // The job last ran three minutes ago; what arrived since is only raw.
    const lastRun = ago(3 * MINUTE);
    await insertSamples(db, raw.filter((s) => s.receivedAt! <= lastRun));
    await rollUpMinutes(db, { now: lastRun });
    await insertSamples(db, raw.filter((s) => s.receivedAt! > lastRun));
    // Proof the older minutes come from the roll-ups: their raw samples are gone.
    await db.delete(telemetrySamples).where(lt(telemetrySamples.measuredAt, ago(10 * MINUTE)));
    // The fresh tunnel reports since two minutes, and the far end stopped answering this minute.
    const freshSamples = [
      { endpointId: fresh.source, measuredAt: ago(90_000), receivedAt: ago(89_000), rttMs: 40 },
      { endpointId: fresh.source, measuredAt: ago(50_000), receivedAt: ago(49_000), rttMs: 44 },
      { endpointId: fresh.source, measuredAt: NOW, receivedAt: NOW, rttMs: null, lossPct: 100 },
    ];
    await insertSamples(db, freshSamples);
    raw.push(...freshSamples);
  });

  /** The average RTT over both ends of a tunnel's raw samples in [from, from + width). */
  function expectedRtt(t: TestTunnel, from: Date, width: number): number | null {
    const values = raw
      .filter((s) => (s.endpointId === t.source || s.endpointId === t.avs) && s.measuredAt >= from && s.measuredAt.getTime() < from.getTime() + width && s.rttMs != null)
      .map((s) => s.rttMs!);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  }

  it("returns every tunnel of every tenant still served, with an empty series where there is no data", async () => {
    const wall = await sparklines(db, { since: ago(HOUR), now: NOW, points: 60 });
    const served = await db.select({ id: tunnels.id }).from(tunnels).innerJoin(tenants, eq(tenants.id, tunnels.tenantId)).where(ne(tenants.state, "offboarded"));
    expect(wall.tunnels.map((t) => t.tunnelId).sort()).toEqual(served.map((t) => t.id).sort());
    expect(wall.tunnels.map((t) => t.tunnelId)).not.toContain(gone.tunnelId);
    expect(wall.tunnels.find((t) => t.tunnelId === silent.tunnelId)).toEqual({ tunnelId: silent.tunnelId, points: [] });
    expect(wall).toMatchObject({ start: ago(59 * MINUTE), bucketMs: MINUTE, buckets: 60 });
  });

  it("averages both ends per minute, from roll-ups for the minutes the job has read and raw samples after", async () => {
    const wall = await sparklines(db, { since: ago(HOUR), now: NOW, points: 60 });
    const busyLine = wall.tunnels.find((t) => t.tunnelId === busy.tunnelId)!;
    expect(busyLine.points.map((p) => p.at)).toEqual(Array.from({ length: 60 }, (_, i) => ago((59 - i) * MINUTE)));
    for (const point of busyLine.points) expect(point.rttMs).toBeCloseTo(expectedRtt(busy, point.at, MINUTE)!, 9);

    const freshLine = wall.tunnels.find((t) => t.tunnelId === fresh.tunnelId)!;
    expect(freshLine.points).toEqual([
      { at: ago(2 * MINUTE), rttMs: 40 },
      { at: ago(MINUTE), rttMs: 44 },
      { at: NOW, rttMs: null },
    ]);
    expect(sparklineValues(freshLine.points, wall).slice(-4)).toEqual([null, 40, 44, null]);
  });

  it("merges minutes into wider buckets when asked for fewer points", async () => {
    const wall = await sparklines(db, { since: ago(HOUR), now: NOW, points: 20 });
    expect(wall).toMatchObject({ bucketMs: 3 * MINUTE, buckets: 20, start: ago(57 * MINUTE) });
    const busyLine = wall.tunnels.find((t) => t.tunnelId === busy.tunnelId)!;
    expect(busyLine.points).toHaveLength(20);
    for (const point of busyLine.points) expect(point.rttMs).toBeCloseTo(expectedRtt(busy, point.at, 3 * MINUTE)!, 9);
  });

  it("refuses a window that is not one", async () => {
    await expect(sparklines(db, { since: NOW, now: NOW })).rejects.toThrow("since must be a valid time before now.");
    await expect(sparklines(db, { since: ago(HOUR), now: NOW, points: 0 })).rejects.toThrow("points must be a whole number from 1 to 1500.");
  });
});
