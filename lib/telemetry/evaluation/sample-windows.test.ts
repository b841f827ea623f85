/**
 * The windows a process keeps between rounds against a fresh read of the database, on both
 * databases, through everything ingest can do to an endpoint's samples: newer ones, a re-send,
 * a late backlog, traces with and without a path, the window moving and growing. And a round
 * with nothing new reads no sample at all.
 */
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { tunnelEndpoints } from "@/lib/db/schema";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { ingestSamples } from "../ingest";
import { SampleWindows, type WindowRequest } from "./sample-windows";

const T0 = Date.parse("2026-11-20T10:00:00.000Z");
const hop = (address: string) => [{ ttl: 1, address, rttMs: 1 }];

describeEachDatabase("the evaluation's kept windows", ({ handle }) => {
  let db: Database;
  let tunnel: TestTunnel;

  beforeAll(async () => {
    db = handle().db;
    [tunnel] = (await createTunnels(db, 1)) as [TestTunnel];
  });

  const agent = (side: "source" | "avs") => ({ endpointId: tunnel[side], tunnelId: tunnel.tunnelId, tenantId: tunnel.tenantId, side, tokenUsed: "current" as const, tokenHash: "0".repeat(64) });
  const post = async (side: "source" | "avs", seconds: number[], traced = true) => {
    const samples: TelemetrySample[] = seconds.map((s) => ({ measuredAt: new Date(T0 + s * 1000).toISOString(), rttMs: 10 + (s % 7), lossPct: 0, ...(traced ? { path: hop(`192.0.2.${(s % 200) + 1}`) } : {}) }));
    expect(await ingestSamples(db, agent(side), samples, new Date(T0 + Math.max(...seconds) * 1000 + 1000))).toMatchObject({ ok: true });
  };
  const requests = async (sinceSeconds: number, paths: number): Promise<WindowRequest[]> => {
    const rows = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, tunnel.tunnelId));
    return rows.map((e) => ({ id: e.id, since: new Date(T0 + sinceSeconds * 1000), paths, seq: e.samplesSeq, lateSeq: e.lateSeq }));
  };
  /** Counts the statements a read sends. */
  const counting = () => {
    let statements = 0;
    const proxy = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== "execute") return Reflect.get(target, property, receiver);
        return (query: Parameters<Database["execute"]>[0]) => {
          statements += 1;
          return target.execute(query);
        };
      },
    });
    return { db: proxy, statements: () => statements };
  };

  it("keeps each endpoint's window equal to a fresh read, and reads nothing when nothing arrived", async () => {
    const kept = new SampleWindows();
    const check = async (sinceSeconds: number, paths: number) => {
      const asked = await requests(sinceSeconds, paths);
      const got = await kept.read(db, asked);
      const fresh = await new SampleWindows().read(db, asked);
      for (const side of ["source", "avs"] as const) expect(got.get(tunnel[side]), side).toEqual(fresh.get(tunnel[side]));
      return got;
    };

    await post("source", [0, 30, 60, 90, 120, 150]);
    await post("avs", [15, 45, 75]);
    await check(0, 3);
    // Newer samples; one without a path, one with an empty one: the three newest traces keep theirs.
    await post("source", [180, 210], false);
    expect(await ingestSamples(db, agent("source"), [{ measuredAt: new Date(T0 + 225_000).toISOString(), rttMs: 10, path: [] }], new Date(T0 + 226_000))).toMatchObject({ ok: true });
    await post("source", [240]);
    const got = await check(60, 3);
    expect(got.get(tunnel.source)!.filter((s) => s.path).map((s) => s.measuredAt.getTime() - T0)).toEqual([120_000, 150_000, 240_000]);
    // A re-send stores nothing and moves nothing.
    await post("source", [240]);
    const idle = counting();
    await kept.read(idle.db, await requests(60, 3));
    expect(idle.statements()).toBe(0);
    // A late backlog between samples already kept, inside the same window.
    await post("avs", [65, 70, 80, 100]);
    const late = await check(60, 3);
    expect(late.get(tunnel.avs)!.map((s) => s.measuredAt.getTime() - T0)).toEqual([65_000, 70_000, 75_000, 80_000, 100_000]);
    await post("avs", [20, 50]);
    await check(0, 3);
    // The window moves on, then grows again (a tenant widened it), and more paths are wanted.
    await post("avs", [300, 330]);
    await check(200, 3);
    await check(0, 3);
    await check(0, 5);
    await post("source", [600]);
    const last = await check(5 * 60, 2);
    expect(last.get(tunnel.source)!.map((s) => s.measuredAt.getTime() - T0)).toEqual([600_000]);
  });

  it("brings every field the rules read through a kept window unchanged: nulls, false, the pair's role, time and reason", async () => {
    const [other] = (await createTunnels(db, 1)) as [TestTunnel];
    const source = { ...agent("source"), endpointId: other.source, tunnelId: other.tunnelId, tenantId: other.tenantId };
    const full = (s: number, pair: { role: "active" | "standby"; reason: string } | null): TelemetrySample => ({
      measuredAt: new Date(T0 + s * 1000).toISOString(),
      rttMs: s % 20 === 0 ? null : 10.25 + s,
      jitterMs: 0.5,
      lossPct: s % 20 === 0 ? 100 : 0,
      dfProbe: { bytes: 1550, ok: s % 20 !== 0 },
      bumPps: s === 0 ? null : 12.5,
      learnedMacs: 0,
      path: hop("192.0.2.9"),
      ...(pair ? { pair: { role: pair.role, since: new Date(T0 - 60_000).toISOString(), reason: pair.reason } } : {}),
    });
    const ask = async (): Promise<WindowRequest[]> => {
      const [row] = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, other.source));
      return [{ id: row!.id, since: new Date(T0 - 60_000), paths: 2, seq: row!.samplesSeq, lateSeq: row!.lateSeq }];
    };
    const kept = new SampleWindows();
    expect(await ingestSamples(db, source, [full(0, null), full(10, { role: "active", reason: "elected" })], new Date(T0 + 11_000))).toMatchObject({ ok: true });
    await kept.read(db, await ask());
    // Newer samples: the kept ones now come out of the columns, beside the new ones.
    expect(await ingestSamples(db, source, [full(20, { role: "standby", reason: "peer-active" }), full(30, { role: "standby", reason: "peer-active" })], new Date(T0 + 31_000))).toMatchObject({ ok: true });
    const asked = await ask();
    const got = (await kept.read(db, asked)).get(other.source)!;
    expect(got).toEqual((await new SampleWindows().read(db, asked)).get(other.source));
    const since = new Date(T0 - 60_000);
    expect(got).toEqual([
      { measuredAt: new Date(T0), rttMs: null, jitterMs: 0.5, lossPct: 100, dfProbeBytes: 1550, dfProbeOk: false, path: null, bumPps: null, learnedMacs: 0, pairRole: null, pairSince: null, pairReason: null },
      { measuredAt: new Date(T0 + 10_000), rttMs: 20.25, jitterMs: 0.5, lossPct: 0, dfProbeBytes: 1550, dfProbeOk: true, path: null, bumPps: 12.5, learnedMacs: 0, pairRole: "active", pairSince: since, pairReason: "elected" },
      { measuredAt: new Date(T0 + 20_000), rttMs: null, jitterMs: 0.5, lossPct: 100, dfProbeBytes: 1550, dfProbeOk: false, path: hop("192.0.2.9"), bumPps: 12.5, learnedMacs: 0, pairRole: "standby", pairSince: since, pairReason: "peer-active" },
      { measuredAt: new Date(T0 + 30_000), rttMs: 40.25, jitterMs: 0.5, lossPct: 0, dfProbeBytes: 1550, dfProbeOk: true, path: hop("192.0.2.9"), bumPps: 12.5, learnedMacs: 0, pairRole: "standby", pairSince: since, pairReason: "peer-active" },
    ]);
    // A round's samples are its own: changing them does not change what the next round gets.
    got[0]!.rttMs = 999;
    got[3]!.path = null;
    const again = (await kept.read(db, asked)).get(other.source)!;
    expect(again[0]!.rttMs).toBeNull();
    expect(again[3]!.path).toEqual(hop("192.0.2.9"));
  });

  it("stays equal to a fresh read round after round as the window slides past what it was made with", async () => {
    const [sliding] = (await createTunnels(db, 1)) as [TestTunnel];
    const source = { ...agent("source"), endpointId: sliding.source, tunnelId: sliding.tunnelId, tenantId: sliding.tenantId };
    const ask = async (sinceSeconds: number): Promise<WindowRequest[]> => {
      const [row] = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, sliding.source));
      return [{ id: row!.id, since: new Date(T0 + sinceSeconds * 1000), paths: 2, seq: row!.samplesSeq, lateSeq: row!.lateSeq }];
    };
    const kept = new SampleWindows();
    // A window of 6 samples, then 40 rounds of one newer sample in and one older out, some rounds
    // two in and none out, and once a burst of 24 newer ones at 0.3 s: the kept window is written over in place
    // and outgrows its room.
    for (let round = 0; round < 40; round++) {
      const newest = 6 + round + Math.floor(round / 10);
      const burst = round === 25 ? Array.from({ length: 24 }, (_, i) => (newest - 1) * 10 + 0.3 * (i + 1)) : [];
      const seconds = round % 10 === 9 ? [newest * 10 - 5, newest * 10] : [...burst, newest * 10];
      const samples: TelemetrySample[] = (round === 0 ? [0, 10, 20, 30, 40, 50, ...seconds] : seconds).map((s) => ({
        measuredAt: new Date(T0 + Math.round(s * 1000)).toISOString(),
        rttMs: s,
        ...(Math.round(s * 10) % 200 === 0 ? { path: hop(`192.0.2.${(s % 200) + 1}`) } : {}),
        ...(Math.round(s * 10) % 300 === 0 ? { pair: { role: "standby" as const, since: new Date(T0).toISOString(), reason: `r-${Math.round(s) % 4}` } } : {}),
      }));
      expect(await ingestSamples(db, source, samples, new Date(T0 + newest * 10_000 + 1_000))).toMatchObject({ ok: true });
      const asked = await ask((newest - 6) * 10 - (round % 10) * 5);
      const got = (await kept.read(db, asked)).get(sliding.source)!;
      expect(got, `round ${round}`).toEqual((await new SampleWindows().read(db, asked)).get(sliding.source));
      expect(got.length, `round ${round}`).toBeGreaterThan(5);
    }
  });
});
