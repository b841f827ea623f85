import { eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { telemetryRollups, telemetrySamples, telemetryWatermarks } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type SampleRow } from "@/tests/support/telemetry-fixtures";
import { readWatermark, rollUpHours, rollUpMinutes, WATERMARK } from "./rollup";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const BASE = Date.parse("2026-11-20T09:00:00.000Z");

type Raw = Required<Pick<SampleRow, "endpointId" | "measuredAt" | "receivedAt">> &
  Pick<SampleRow, "rttMs" | "jitterMs" | "lossPct" | "dfProbeOk" | "bumPps" | "learnedMacs">;

type Summary = {
  samples: number;
  rttAvgMs: number | null;
  rttMinMs: number | null;
  rttMaxMs: number | null;
  rttSamples: number;
  jitterAvgMs: number | null;
  jitterSamples: number;
  lossAvgPct: number | null;
  lossSamples: number;
  dfProbeFailures: number;
  bumPpsMax: number | null;
  learnedMacsMax: number | null;
};

/** What a bucket must hold, computed in plain JS straight from the raw samples. */
function summarise(samples: Raw[], widthMs: number): Map<string, Summary> {
  const groups = new Map<string, Raw[]>();
  for (const s of samples) {
    const key = `${s.endpointId}|${Math.floor(s.measuredAt.getTime() / widthMs) * widthMs}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const present = (values: (number | null | undefined)[]) => values.filter((v): v is number => v != null);
  const avg = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  const result = new Map<string, Summary>();
  for (const [key, group] of groups) {
    const rtt = present(group.map((s) => s.rttMs));
    const jitter = present(group.map((s) => s.jitterMs));
    const loss = present(group.map((s) => s.lossPct));
    const bum = present(group.map((s) => s.bumPps));
    const macs = present(group.map((s) => s.learnedMacs));
    result.set(key, {
      samples: group.length,
      rttAvgMs: avg(rtt),
      rttMinMs: rtt.length ? Math.min(...rtt) : null,
      rttMaxMs: rtt.length ? Math.max(...rtt) : null,
      rttSamples: rtt.length,
      jitterAvgMs: avg(jitter),
      jitterSamples: jitter.length,
      lossAvgPct: avg(loss),
      lossSamples: loss.length,
      dfProbeFailures: group.filter((s) => s.dfProbeOk === false).length,
      bumPpsMax: bum.length ? Math.max(...bum) : null,
      learnedMacsMax: macs.length ? Math.max(...macs) : null,
    });
  }
  return result;
}

const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

/** Every stored bucket of these endpoints against the direct computation; returns the differences. */
async function differences(db: Database, endpointIds: string[], samples: Raw[]): Promise<string[]> {
  const stored = await db.select().from(telemetryRollups).where(inArray(telemetryRollups.endpointId, endpointIds));
  const problems: string[] = [];
  for (const [resolution, width] of [["1m", MINUTE], ["1h", HOUR]] as const) {
    const expected = summarise(samples, width);
    const actual = new Map(stored.filter((r) => r.resolution === resolution).map((r) => [`${r.endpointId}|${r.bucketStart.getTime()}`, r]));
    for (const [key, want] of expected) {
      const got = actual.get(key);
      if (!got) {
        problems.push(`${resolution} ${key}: missing`);
        continue;
      }
      for (const field of Object.keys(want) as (keyof Summary)[]) {
        if (!close(got[field], want[field])) problems.push(`${resolution} ${key} ${field}: stored ${got[field]}, raw says ${want[field]}`);
      }
    }
    for (const key of actual.keys()) if (!expected.has(key)) problems.push(`${resolution} ${key}: a bucket without samples`);
  }
  return problems;
}

/** Both roll-ups, a few chunks at a time and interleaved, until both have read everything. */
async function rollUpEverything(db: Database, now: Date, chunkSamples: number, maxChunks: number) {
  for (let round = 0; round < 10_000; round++) {
    const minutes = await rollUpMinutes(db, { now, chunkSamples, maxChunks });
    const hours = await rollUpHours(db, { now, chunkSamples, maxChunks });
    if (minutes.caughtUp && hours.caughtUp) return;
  }
  throw new Error("the roll-ups never caught up");
}

describeEachDatabase("telemetry roll-ups", ({ handle }) => {
  let db: Database;
  let endpoints: string[];

  beforeAll(async () => {
    db = handle().db;
    const made = await createTunnels(db, 2);
    endpoints = made.flatMap((t) => [t.source, t.avs]);
  });
  beforeEach(async () => resetTelemetry(db));

  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
  const sampleArb = fc.record({
    endpoint: fc.integer({ min: 0, max: 3 }),
    // Three hours of measurements, so buckets cross hour boundaries.
    measuredMs: fc.integer({ min: 0, max: 3 * HOUR - 1 }),
    // Most arrive within seconds; some minutes to hours late, after their bucket was rolled up.
    delayMs: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20_000 }), weight: 4 }, { arbitrary: fc.integer({ min: 20_000, max: 4 * HOUR }), weight: 1 }),
    rttMs: optional(fc.double({ min: 0, max: 1_000, noNaN: true })),
    jitterMs: optional(fc.double({ min: 0, max: 200, noNaN: true })),
    lossPct: optional(fc.double({ min: 0, max: 100, noNaN: true })),
    dfProbeOk: optional(fc.boolean()),
    bumPps: optional(fc.double({ min: 0, max: 1e6, noNaN: true })),
    learnedMacs: optional(fc.integer({ min: 0, max: 10_000 })),
  });
  const scenarioArb = fc.record({
    samples: fc.uniqueArray(sampleArb, { minLength: 1, maxLength: 80, selector: (s) => `${s.endpoint}:${s.measuredMs}` }),
    // When the job runs, as fractions of the arrival span; a last run after everything arrived.
    runs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
    chunkSamples: fc.integer({ min: 3, max: 40 }),
    maxChunks: fc.integer({ min: 1, max: 3 }),
  });

  it("keeps every 1-minute and 1-hour bucket equal to a direct computation over its raw samples, run after run, with nulls and late arrivals", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ samples, runs, chunkSamples, maxChunks }) => {
        await resetTelemetry(db);
        const raw: Raw[] = samples
          .map((s) => ({
            endpointId: endpoints[s.endpoint]!,
            measuredAt: new Date(BASE + s.measuredMs),
            receivedAt: new Date(BASE + s.measuredMs + s.delayMs),
            rttMs: s.rttMs,
            jitterMs: s.jitterMs,
            lossPct: s.lossPct,
            dfProbeOk: s.dfProbeOk,
            bumPps: s.bumPps,
            learnedMacs: s.learnedMacs,
          }))
          .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
        const first = raw[0]!.receivedAt.getTime();
        const last = raw.at(-1)!.receivedAt.getTime();
        const runTimes = [...runs.map((f) => first + f * (last - first)), last].sort((a, b) => a - b);
        let arrived = 0;
        for (const at of runTimes) {
          const now = new Date(Math.floor(at));
          const batch: Raw[] = [];
          while (arrived < raw.length && raw[arrived]!.receivedAt <= now) batch.push(raw[arrived++]!);
          if (batch.length) await insertSamples(db, batch);
          await rollUpEverything(db, now, chunkSamples, maxChunks);
          // Whatever has arrived by each run is summarised exactly, not only at the end.
          expect(await differences(db, endpoints, raw.slice(0, arrived))).toEqual([]);
        }
        expect(arrived).toBe(raw.length);
      }),
      { numRuns: 30 },
    );
  });

  const sampleAt = (endpointId: string, measuredMs: number, receivedMs: number, rttMs: number | null, extra: Partial<Raw> = {}): Raw => ({
    endpointId,
    measuredAt: new Date(BASE + measuredMs),
    receivedAt: new Date(BASE + receivedMs),
    rttMs,
    jitterMs: 1,
    lossPct: 0,
    dfProbeOk: true,
    bumPps: 2,
    learnedMacs: 10,
    ...extra,
  });

  it("changes nothing when run again, and recomputes only the buckets a late sample falls in", async () => {
    const [a, b] = endpoints as [string, string];
    const raw = Array.from({ length: 40 }, (_, i) => sampleAt(i % 2 ? a : b, i * 10_000, i * 10_000 + 500, 10 + i));
    await insertSamples(db, raw);
    // Just after the last arrival, so re-runs re-read the newest samples (the overlap).
    const now = new Date(BASE + 400_000);
    const first = await rollUpMinutes(db, { now });
    await rollUpHours(db, { now });
    expect(first).toMatchObject({ caughtUp: true, buckets: 14 });
    const before = await db.select().from(telemetryRollups);
    expect(before).toHaveLength(14 + 2);

    // Again at the same moment, a little later, and from scratch (watermarks gone): the buckets
    // are recomputed from the same samples, and none is written because none differs.
    for (const later of [now, new Date(now.getTime() + 30_000), "from scratch"] as const) {
      if (later === "from scratch") await db.delete(telemetryWatermarks);
      const at = later === "from scratch" ? now : later;
      expect((await rollUpMinutes(db, { now: at })).buckets).toBe(0);
      expect((await rollUpHours(db, { now: at })).buckets).toBe(0);
    }
    expect(await db.select().from(telemetryRollups)).toEqual(before);
    // A pass that found nothing new still leaves both watermarks where it read to.
    expect(await readWatermark(db, WATERMARK.minutes)).toEqual(now);
    expect(await readWatermark(db, WATERMARK.hours)).toEqual(now);

    // Measured in the second minute (already rolled up), delivered long after, with the worst RTT.
    const late = sampleAt(a, MINUTE + 1_234, HOUR + 90_000, 999, { dfProbeOk: false });
    await insertSamples(db, [late]);
    const laterStill = new Date(BASE + HOUR + 2 * MINUTE);
    expect((await rollUpMinutes(db, { now: laterStill })).buckets).toBe(1);
    expect((await rollUpHours(db, { now: laterStill })).buckets).toBe(1);
    expect(await differences(db, endpoints, [...raw, late])).toEqual([]);
    const changed = (await db.select().from(telemetryRollups)).filter((r) => !before.some((old) => JSON.stringify(old) === JSON.stringify(r)));
    expect(changed.map((r) => [r.resolution, r.bucketStart.getTime() - BASE, r.rttMaxMs, r.dfProbeFailures])).toEqual(
      expect.arrayContaining([
        ["1m", MINUTE, 999, 1],
        ["1h", 0, 999, 1],
      ]),
    );
    expect(changed).toHaveLength(2);
  });

  it("reads a bounded chunk per step, and the hourly roll-up never reads past the minute roll-up", async () => {
    const [a] = endpoints as [string];
    const raw = Array.from({ length: 30 }, (_, i) => sampleAt(a, i * 5 * MINUTE, i * 5 * MINUTE + 100, i));
    await insertSamples(db, raw);
    const now = new Date(BASE + 3 * HOUR);

    // Ten samples a chunk, cut at the start of the arrival minute of the tenth: 9, then 9 more.
    const partial = await rollUpMinutes(db, { now, chunkSamples: 10, maxChunks: 2 });
    expect(partial).toMatchObject({ chunks: 2, caughtUp: false });
    const cut = new Date(BASE + 18 * 5 * MINUTE);
    expect(raw[18]!.receivedAt.getTime() - cut.getTime()).toBe(100);
    expect(partial.through).toEqual(cut);
    expect(await readWatermark(db, WATERMARK.minutes)).toEqual(cut);
    const minutes = await db.select().from(telemetryRollups);
    expect(minutes).toHaveLength(18);

    const hours = await rollUpHours(db, { now });
    expect(hours.caughtUp).toBe(true);
    expect(await readWatermark(db, WATERMARK.hours)).toEqual(cut);
    expect(await differences(db, endpoints, raw.slice(0, 18))).toEqual([]);

    await rollUpMinutes(db, { now, chunkSamples: 10 });
    await rollUpHours(db, { now, chunkSamples: 10 });
    expect(await differences(db, endpoints, raw)).toEqual([]);
  });

  it("takes a minute of arrivals larger than a chunk in pieces, none of them empty, each with every sample tied with its last", async () => {
    const [a, b] = endpoints as [string, string];
    // An agent's backlog delivered at once: twelve samples from two ends received at the same
    // instant, half a minute into a minute; three more a second later.
    const at = 20 * MINUTE + 30_000;
    const batch = Array.from({ length: 12 }, (_, i) => sampleAt(i % 2 ? a : b, Math.floor(i / 2) * 10_000, at, i));
    const next = Array.from({ length: 3 }, (_, i) => sampleAt(a, 10 * MINUTE + i * 10_000, at + 1_000, 50 + i));
    await insertSamples(db, [...batch, ...next]);
    const now = new Date(BASE + 30 * MINUTE);

    // Cut at the start of the minute, the chunk would hold nothing (and the next one the
    // same): it ends at its fifth sample, and the seven received in the same instant come along.
    const first = await rollUpMinutes(db, { now, chunkSamples: 5, maxChunks: 1 });
    expect(first).toMatchObject({ chunks: 1, caughtUp: false, through: new Date(BASE + at) });
    await rollUpHours(db, { now });
    expect(await differences(db, endpoints, batch)).toEqual([]);

    expect(await rollUpMinutes(db, { now, chunkSamples: 5 })).toMatchObject({ chunks: 1, caughtUp: true });
    await rollUpHours(db, { now });
    expect(await differences(db, endpoints, [...batch, ...next])).toEqual([]);
  });

  it("re-reads the overlap behind the watermark only after a sample committed in it late, and then rolls that sample up", async () => {
    const [a, b] = endpoints as [string, string];
    // Ten minutes from both ends, each sample received a second after it was measured.
    const raw = Array.from({ length: 120 }, (_, i) => sampleAt(i % 2 ? a : b, Math.floor(i / 2) * 10_000, Math.floor(i / 2) * 10_000 + 1_000, 10 + i));
    await insertSamples(db, raw);
    const ran = BASE + 10 * MINUTE + 5_000;
    const first = await rollUpMinutes(db, { now: new Date(ran) });
    await rollUpHours(db, { now: new Date(ran) });
    // Nothing to check against yet: the first run reads everything.
    expect(first).toMatchObject({ caughtUp: true, overlapRereads: 0, through: new Date(ran) });

    // A minute later, nothing new: the overlap is left alone, nothing is written.
    const idle = await rollUpMinutes(db, { now: new Date(ran + MINUTE) });
    expect(idle).toMatchObject({ buckets: 0, overlapRereads: 0 });

    // A sample stamped received before the last run's watermark but committed after it ran
    // (a slow transaction, or an instance whose clock is behind): in the overlap, unseen.
    const late = sampleAt(a, 9 * MINUTE + 5_500, 10 * MINUTE - 30_000, 999, { dfProbeOk: false });
    await insertSamples(db, [late]);
    // The 1-hour roll-up runs before the 1-minute one sees it: its hour is computed from
    // minutes that lack it, and must be done again once they have it.
    await rollUpHours(db, { now: new Date(ran + 2 * MINUTE) });
    const caught = await rollUpMinutes(db, { now: new Date(ran + 2 * MINUTE) });
    expect(caught).toMatchObject({ buckets: 1, overlapRereads: 1 });
    await rollUpHours(db, { now: new Date(ran + 2 * MINUTE) });
    expect(await differences(db, endpoints, [...raw, late])).toEqual([]);

    // And once seen, it no longer makes the next run re-read anything.
    expect(await rollUpMinutes(db, { now: new Date(ran + 3 * MINUTE) })).toMatchObject({ buckets: 0, overlapRereads: 0 });
  });

  it("re-reads the overlap when the digest cannot vouch for it: a deleted endpoint's samples and a late one together", async () => {
    const [a, b, c] = endpoints as [string, string, string];
    const raw = Array.from({ length: 12 }, (_, i) => sampleAt(i % 2 ? a : b, i * 10_000, i * 10_000 + 1_000, i));
    const doomed = sampleAt(c, 90_000, 100_000, 5);
    await insertSamples(db, [...raw, doomed]);
    const ran = BASE + 2 * MINUTE + 5_000;
    await rollUpMinutes(db, { now: new Date(ran) });
    // One sample leaves the overlap, another arrives in it: the count alone would match.
    await db.delete(telemetrySamples).where(eq(telemetrySamples.endpointId, c));
    await db.delete(telemetryRollups).where(eq(telemetryRollups.endpointId, c));
    const late = sampleAt(a, 115_000, 2 * MINUTE - 10_000, 777);
    await insertSamples(db, [late]);
    expect(await rollUpMinutes(db, { now: new Date(ran + MINUTE) })).toMatchObject({ buckets: 1, overlapRereads: 1 });
    await rollUpHours(db, { now: new Date(ran + MINUTE) });
    expect(await differences(db, endpoints, [...raw, late])).toEqual([]);
  });

  it("rolls up a sample stamped behind the watermark after the clock went back (or a slower instance ran the next chunk), not only once", async () => {
    const [a, b] = endpoints as [string, string];
    const raw = Array.from({ length: 12 }, (_, i) => sampleAt(i % 2 ? a : b, i * 10_000, i * 10_000 + 1_000, i));
    await insertSamples(db, raw);
    const ran = BASE + 10 * MINUTE;
    await rollUpMinutes(db, { now: new Date(ran) });
    await rollUpHours(db, { now: new Date(ran) });
    // The clock steps back five minutes (NTP, or the next chunk is another instance's, running
    // behind): ingest stamps a sample received four and a half minutes before the watermark,
    // below the overlap the last chunk's digest vouched for, and the next chunk runs on that clock.
    const stamped = sampleAt(b, 5 * MINUTE + 20_000, 10 * MINUTE - 4 * MINUTE - 30_000, 555);
    await insertSamples(db, [stamped]);
    await rollUpMinutes(db, { now: new Date(ran - 4 * MINUTE) });
    await rollUpHours(db, { now: new Date(ran - 4 * MINUTE) });
    // The clock is right again. The old fixed overlap re-read (saved − 2 min, …] here at the
    // latest; a digest that took the sample in without reading it would vouch for it for good.
    await rollUpMinutes(db, { now: new Date(ran + MINUTE) });
    await rollUpHours(db, { now: new Date(ran + MINUTE) });
    expect(await differences(db, endpoints, [...raw, stamped])).toEqual([]);
  });

  it("refuses nonsense limits with a message that says what to pass", async () => {
    await expect(rollUpMinutes(db, { now: new Date(), chunkSamples: 0 })).rejects.toThrow("chunkSamples must be a whole number of at least 1, not 0.");
    await expect(rollUpHours(db, { now: new Date(), maxChunks: 1.5 })).rejects.toThrow("maxChunks must be a whole number of at least 1, not 1.5.");
  });
});
