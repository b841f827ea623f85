/**
 * The wall's cached sparklines draw exactly what `sparklines()` draws from the database, on both
 * databases, refresh after refresh: while the roll-up's watermark stands still, after it moves,
 * after late samples land in minutes already closed, and after the watermarks are reset.
 */
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type SampleRow, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { rollUpMinutes } from "@/lib/telemetry/rollup";
import { sparklines, sparklineValues } from "@/lib/telemetry/series";
import { readWallSparklines } from "./noc-sparklines";

const T0 = Date.parse("2026-11-20T10:00:00.000Z");
const MINUTE = 60_000;

describeEachDatabase("the wall's cached sparklines", ({ handle }) => {
  let db: Database;
  let tunnels: TestTunnel[];

  beforeAll(async () => {
    db = handle().db;
    tunnels = await createTunnels(db, 3);
  });

  /** A sample every 20 s from both ends of every tunnel, some without an RTT. */
  function samplesBetween(from: number, to: number, receivedLate = 0): SampleRow[] {
    const rows: SampleRow[] = [];
    for (let at = from; at < to; at += 20_000) {
      tunnels.forEach((t, i) => {
        for (const [j, endpointId] of [t.source, t.avs].entries()) {
          const seq = Math.round(at / 20_000) + i * 7 + j * 3;
          rows.push({ endpointId, measuredAt: new Date(at), receivedAt: new Date(at + 500 + receivedLate), rttMs: seq % 11 === 0 ? null : 5 + (seq % 13) + i * 10 });
        }
      });
    }
    return rows;
  }

  async function expectSameLines(now: number) {
    const args = { since: new Date(now - 60 * MINUTE), now: new Date(now), points: 60 };
    const reference = await sparklines(db, args);
    const cached = await readWallSparklines(db, args);
    expect({ start: cached.start, bucketMs: cached.bucketMs, buckets: cached.buckets }).toEqual({ start: reference.start, bucketMs: reference.bucketMs, buckets: reference.buckets });
    for (const t of tunnels) {
      const want = sparklineValues(reference.tunnels.find((r) => r.tunnelId === t.tunnelId)?.points ?? [], reference);
      const got = cached.valuesOf([t.source, t.avs]);
      expect(got.map((v) => v === null)).toEqual(want.map((v) => v === null));
      got.forEach((v, k) => v !== null && expect(v).toBeCloseTo(want[k]!, 9));
    }
    return cached;
  }

  it("draws the same lines as sparklines(), refresh after refresh, through roll-ups, late samples and a reset", async () => {
    await resetTelemetry(db);
    await insertSamples(db, samplesBetween(T0 - 70 * MINUTE, T0));
    await rollUpMinutes(db, { now: new Date(T0 - 2 * MINUTE), maxChunks: 100 });
    const first = await expectSameLines(T0);
    expect(first.valuesOf([tunnels[0]!.source, tunnels[0]!.avs]).filter((v) => v !== null).length).toBeGreaterThan(50);

    // The watermark stands still while time passes: closed minutes come from memory.
    await expectSameLines(T0 + 20_000);
    // New samples and a roll-up: the watermark moves, new minutes close.
    await insertSamples(db, samplesBetween(T0, T0 + 3 * MINUTE));
    await rollUpMinutes(db, { now: new Date(T0 + 3 * MINUTE), maxChunks: 100 });
    await expectSameLines(T0 + 3 * MINUTE + 5_000);
    // Late samples (an agent's backlog) land in minutes long closed; the roll-up rewrites them.
    const late = samplesBetween(T0 - 40 * MINUTE + 10_000, T0 - 38 * MINUTE, 45 * MINUTE).map((s) => ({ ...s, measuredAt: new Date(s.measuredAt.getTime() + 1), rttMs: 300 }));
    await insertSamples(db, late);
    await insertSamples(db, samplesBetween(T0 + 3 * MINUTE, T0 + 6 * MINUTE));
    await rollUpMinutes(db, { now: new Date(T0 + 6 * MINUTE), maxChunks: 100 });
    const afterLate = await expectSameLines(T0 + 6 * MINUTE + 1_000);
    expect(afterLate.valuesOf([tunnels[1]!.source]).some((v) => v !== null && v > 100)).toBe(true);
    // Many minutes later, past the ring's reach of what it held.
    await insertSamples(db, samplesBetween(T0 + 6 * MINUTE, T0 + 150 * MINUTE));
    await rollUpMinutes(db, { now: new Date(T0 + 150 * MINUTE), maxChunks: 1_000 });
    await expectSameLines(T0 + 150 * MINUTE + 30_000);
    // Watermarks reset (the roll-up starts over): the cache notices and reads again.
    await resetTelemetry(db);
    await insertSamples(db, samplesBetween(T0 + 140 * MINUTE, T0 + 152 * MINUTE));
    await expectSameLines(T0 + 152 * MINUTE);
    await rollUpMinutes(db, { now: new Date(T0 + 152 * MINUTE), maxChunks: 100 });
    await expectSameLines(T0 + 152 * MINUTE + 10_000);
  });
});
