import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { telemetryRollups, telemetrySamples } from "@/lib/db/schema";
import { MAX_SAMPLE_AGE_MS } from "@/lib/validation/telemetry";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { applyRetention, RETENTION, retentionCutoffs } from "./retention";
import { ROLLUP_LIMITS, rollUpHours, rollUpMinutes } from "./rollup";

const DAY = 24 * 3_600_000;
const NOW = new Date("2026-11-21T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe("retention cutoffs", () => {
  it("keeps a week of raw samples, 35 days of minutes and 400 days of hours once the roll-ups are current", () => {
    const cutoffs = retentionCutoffs(NOW, NOW);
    expect(cutoffs.hours).toEqual(ago(400 * DAY));
    // The roll-ups' overlap is kept too: a bucket it re-reads must still have all its samples.
    expect(cutoffs.raw).toEqual(ago(7 * DAY + ROLLUP_LIMITS.overlapMs));
    expect(cutoffs.minutes).toEqual(ago(35 * DAY));
    expect(RETENTION.rawMs).toBe(MAX_SAMPLE_AGE_MS);
  });

  it("deletes no raw sample or minute a lagging roll-up may still change, and nothing of them before the first roll-up", () => {
    expect(retentionCutoffs(NOW, null)).toEqual({ raw: null, rolledThrough: null, minutes: null, hours: ago(400 * DAY) });
    // Three days behind: a sample received since may be measured up to a week before it arrived.
    const lagging = retentionCutoffs(NOW, ago(3 * DAY));
    expect(lagging.raw).toEqual(ago(10 * DAY + ROLLUP_LIMITS.overlapMs));
    expect(lagging.rolledThrough).toEqual(ago(3 * DAY + ROLLUP_LIMITS.overlapMs));
    // Forty days behind: minutes are kept past their 35 days, back to the hour a late sample may touch.
    expect(retentionCutoffs(NOW, ago(40 * DAY)).minutes).toEqual(ago(47 * DAY + 3_600_000));
  });
});

describeEachDatabase("telemetry retention", ({ handle }) => {
  let db: Database;
  let endpoint: string;

  beforeAll(async () => {
    db = handle().db;
    [{ source: endpoint }] = (await createTunnels(db, 1)) as [TestTunnel];
  });
  beforeEach(async () => resetTelemetry(db));

  /** One sample a minute for `minutes` minutes from `at`, each received a second after it was measured. */
  const samplesFrom = (at: Date, minutes: number) =>
    Array.from({ length: minutes }, (_, i) => {
      const measuredAt = new Date(at.getTime() + i * 60_000);
      return { endpointId: endpoint, measuredAt, receivedAt: new Date(measuredAt.getTime() + 1_000), rttMs: 10 + i };
    });

  async function ages() {
    const raw = await db.select({ at: telemetrySamples.measuredAt }).from(telemetrySamples);
    const rollups = await db.select({ resolution: telemetryRollups.resolution, at: telemetryRollups.bucketStart }).from(telemetryRollups);
    const days = (at: Date) => Math.floor((NOW.getTime() - at.getTime()) / DAY);
    const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
    return {
      raw: distinct(raw.map((r) => days(r.at))),
      minutes: distinct(rollups.filter((r) => r.resolution === "1m").map((r) => days(r.at))),
      hours: distinct(rollups.filter((r) => r.resolution === "1h").map((r) => days(r.at))),
    };
  }

  it("deletes each kind past its age, and raw samples only once they are rolled up", async () => {
    // Samples from 1, 8, 40 and 500 days ago, as a database that never ran the job would hold.
    await insertSamples(db, [1, 8, 40, 500].flatMap((d) => samplesFrom(ago(d * DAY + 10 * 60_000), 3)));
    expect(await applyRetention(db, { now: NOW })).toMatchObject({ raw: 0, minutes: 0, hours: 0, done: true });
    expect((await ages()).raw).toEqual([1, 8, 40, 500]);

    await rollUpMinutes(db, { now: NOW });
    await rollUpHours(db, { now: NOW });
    expect(await ages()).toEqual({ raw: [1, 8, 40, 500], minutes: [1, 8, 40, 500], hours: [1, 8, 40, 500] });

    const result = await applyRetention(db, { now: NOW });
    expect(result).toMatchObject({ raw: 9, minutes: 6, hours: 1, done: true });
    expect(await ages()).toEqual({ raw: [1], minutes: [1, 8], hours: [1, 8, 40] });
    expect(await applyRetention(db, { now: NOW })).toMatchObject({ raw: 0, minutes: 0, hours: 0, done: true });
  });

  it("keeps a sample that arrived after the last roll-up, however old, until it is rolled up", async () => {
    await insertSamples(db, samplesFrom(ago(2 * DAY), 2));
    await rollUpMinutes(db, { now: NOW });
    await rollUpHours(db, { now: NOW });
    // Measured eight days back, received after the roll-ups ran (a backlog, or a write outside ingest).
    const straggler = { endpointId: endpoint, measuredAt: ago(8 * DAY), receivedAt: new Date(NOW.getTime() + 60_000), rttMs: 77 };
    await insertSamples(db, [straggler]);
    const later = new Date(NOW.getTime() + 2 * 60_000);
    expect(await applyRetention(db, { now: later })).toMatchObject({ raw: 0 });

    await rollUpMinutes(db, { now: later });
    await rollUpHours(db, { now: later });
    // Only once the overlap the roll-ups re-read has passed it.
    const afterOverlap = new Date(later.getTime() + ROLLUP_LIMITS.overlapMs);
    await rollUpMinutes(db, { now: afterOverlap });
    await rollUpHours(db, { now: afterOverlap });
    expect(await applyRetention(db, { now: afterOverlap })).toMatchObject({ raw: 1 });
    // Its minute and its hour (both start at that instant) hold it.
    const buckets = await db.select().from(telemetryRollups).where(eq(telemetryRollups.bucketStart, ago(8 * DAY)));
    expect(buckets.map((m) => [m.resolution, m.samples, m.rttAvgMs]).sort()).toEqual([["1h", 1, 77], ["1m", 1, 77]]);
  });

  it("deletes in bounded batches, and a capped call leaves the rest for the next", async () => {
    await insertSamples(db, samplesFrom(ago(9 * DAY), 25));
    await rollUpMinutes(db, { now: NOW });
    await rollUpHours(db, { now: NOW });
    const capped = await applyRetention(db, { now: NOW, batchRows: 4, maxBatches: 3 });
    expect(capped).toMatchObject({ raw: 12, batches: 3, done: false });
    const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(telemetrySamples);
    expect(left!.n).toBe(13);
    expect(await applyRetention(db, { now: NOW, batchRows: 4 })).toMatchObject({ raw: 13, batches: 4, done: true });
  });
});
