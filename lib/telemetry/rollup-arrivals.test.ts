import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { telemetryRollups } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, resetTelemetry } from "@/tests/support/telemetry-fixtures";
import { rollUpHours, rollUpMinutes } from "./rollup";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const BASE = Date.parse("2026-11-20T09:00:00.000Z");

type Raw = { endpointId: string; measuredMs: number; receivedUs: number; rtt: number };

/** Inserts samples with microsecond arrival times (ingest's are milliseconds; a database default or another writer need not be). */
async function insertRaw(db: Database, rows: Raw[]) {
  for (const r of rows) {
    await db.execute(sql`insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms)
      values (${r.endpointId}, ${new Date(r.measuredMs).toISOString()}::timestamptz,
              to_timestamp(0) + ${String(r.receivedUs)}::bigint * interval '1 microsecond', ${r.rtt})`);
  }
}

async function problems(db: Database, rows: Raw[]): Promise<string[]> {
  const stored = await db.select().from(telemetryRollups);
  const out: string[] = [];
  for (const [resolution, width] of [["1m", MINUTE], ["1h", HOUR]] as const) {
    const want = new Map<string, { n: number; sum: number }>();
    for (const r of rows) {
      const key = `${r.endpointId}|${Math.floor(r.measuredMs / width) * width}`;
      const w = want.get(key) ?? { n: 0, sum: 0 };
      want.set(key, { n: w.n + 1, sum: w.sum + r.rtt });
    }
    const got = new Map(stored.filter((s) => s.resolution === resolution).map((s) => [`${s.endpointId}|${s.bucketStart.getTime()}`, s]));
    for (const [key, w] of want) {
      const g = got.get(key);
      if (!g) out.push(`${resolution} ${key} missing`);
      else if (g.samples !== w.n || Math.abs((g.rttAvgMs ?? 0) - w.sum / w.n) > 1e-6) out.push(`${resolution} ${key} samples ${g.samples} want ${w.n}`);
    }
    for (const key of got.keys()) if (!want.has(key)) out.push(`${resolution} ${key} extra`);
  }
  return out;
}

describeEachDatabase("roll-ups by arrival", ({ handle, kind }) => {
  let db: Database;
  let endpoints: string[];
  beforeAll(async () => {
    db = handle().db;
    endpoints = (await createTunnels(db, 2)).flatMap((t) => [t.source, t.avs]);
  });
  beforeEach(async () => resetTelemetry(db));

  it("keeps every bucket exact with batches sharing one arrival time, microsecond arrivals, cuts on minute boundaries, late commits and small chunks", async () => {
    const arb = fc.record({
      batches: fc.array(
        fc.record({
          arrivalMs: fc.oneof(fc.integer({ min: 0, max: 3 * HOUR }), fc.integer({ min: 0, max: 180 }).map((m) => m * MINUTE), fc.integer({ min: 0, max: 18 }).map((m) => m * 10 * MINUTE)),
          us: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
          // Its transaction commits only after the roll-up that runs this long after its arrival (within the 90 s bound ingest keeps).
          commitsAfterRunAt: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: null, freq: 2 }),
          samples: fc.uniqueArray(fc.record({ e: fc.integer({ min: 0, max: 3 }), back: fc.oneof(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 120 }).map((m) => m * MINUTE)) }), { minLength: 1, maxLength: 8, selector: (s) => `${s.e}:${s.back}` }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      runs: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 * HOUR }), fc.integer({ min: 0, max: 180 }).map((m) => m * MINUTE)), { maxLength: 5 }),
      chunk: fc.integer({ min: 1, max: 12 }),
      maxChunks: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ batches, runs, chunk, maxChunks }) => {
        await resetTelemetry(db);
        const seen = new Set<string>();
        const all: (Raw & { visibleFrom: number })[] = [];
        const extraRuns: number[] = [];
        for (const b of batches) {
          if (b.commitsAfterRunAt !== null) extraRuns.push(b.arrivalMs + b.commitsAfterRunAt);
          for (const s of b.samples) {
            const measuredMs = BASE + Math.max(0, b.arrivalMs - s.back);
            const key = `${s.e}:${measuredMs}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const receivedUs = (BASE + b.arrivalMs) * 1000 + b.us;
            // Committed just after the run at this time: that run must not see it (inserted after it), the next must.
            const visibleFrom = b.commitsAfterRunAt === null ? receivedUs : (BASE + b.arrivalMs + b.commitsAfterRunAt) * 1000 + 1;
            all.push({ endpointId: endpoints[s.e]!, measuredMs, receivedUs, rtt: all.length + 1, visibleFrom });
          }
        }
        all.sort((a, b) => a.visibleFrom - b.visibleFrom);
        const times = [...new Set([...runs, ...extraRuns, 3 * HOUR + 100_000])].sort((a, b) => a - b).map((t) => BASE + t);
        let arrived = 0;
        for (const t of times) {
          const now = new Date(t);
          const batch: Raw[] = [];
          while (arrived < all.length && all[arrived]!.visibleFrom <= t * 1000) batch.push(all[arrived++]!);
          await insertRaw(db, batch);
          // At most 100 samples: a chunk that makes no progress shows as never catching up.
          let caughtUp = false;
          for (let round = 0; round < 120 && !caughtUp; round++) {
            const m = await rollUpMinutes(db, { now, chunkSamples: chunk, maxChunks });
            const h = await rollUpHours(db, { now, chunkSamples: chunk, maxChunks });
            caughtUp = m.caughtUp && h.caughtUp;
          }
          expect(caughtUp).toBe(true);
          // Late commits are caught by a later run: checked when everything has committed.
          if (arrived === all.length) expect(await problems(db, all)).toEqual([]);
        }
        // One more run past the overlap: everything in.
        const later = new Date(times.at(-1)! + 3 * MINUTE);
        await rollUpMinutes(db, { now: later, chunkSamples: chunk, maxChunks: 1000 });
        await rollUpHours(db, { now: later, chunkSamples: chunk, maxChunks: 1000 });
        expect(await problems(db, all)).toEqual([]);
      }),
      { numRuns: 40, seed: 1 },
    );
  });

  it.skipIf(kind !== "postgres")("rolls up samples whose ingest commits after a backlog chunk read past their arrival", async () => {
    // A backlog delivered in a burst: 30 samples received in the last minute, a chunk of 10.
    const now = BASE + 2 * HOUR;
    const burst: Raw[] = Array.from({ length: 30 }, (_, i) => ({ endpointId: endpoints[i % 4]!, measuredMs: BASE + HOUR + i * 1000, receivedUs: (now - 50_000 + i * 1000) * 1000, rtt: i + 1 }));
    await insertRaw(db, burst);
    // Stamped between the burst's samples, its transaction still open while the chunks run.
    const late: Raw = { endpointId: endpoints[0]!, measuredMs: BASE + HOUR + 100, receivedUs: (now - 45_500) * 1000, rtt: 500 };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedP = new Promise<void>((resolve) => (inserted = resolve));
    const writer = db.transaction(async (tx) => {
      await insertRaw(tx as unknown as Database, [late]);
      inserted();
      await held;
    });
    await insertedP;
    const first = await rollUpMinutes(db, { now: new Date(now), chunkSamples: 10, maxChunks: 2 });
    await rollUpHours(db, { now: new Date(now) });
    // Two chunks of ten, each ending past its last sample (the burst is one arrival minute): the
    // second's watermark lies past the late sample's arrival, which it could not see.
    expect(first).toMatchObject({ caughtUp: false, chunks: 2, through: new Date(now - 31_000) });
    release();
    await writer;
    // The next chunk finds the overlap changed and reads it again.
    expect(await rollUpMinutes(db, { now: new Date(now), chunkSamples: 10, maxChunks: 1 })).toMatchObject({ overlapRereads: 1 });
    for (const at of [now, now + 30_000, now + 60_000]) {
      await rollUpMinutes(db, { now: new Date(at), chunkSamples: 10 });
      await rollUpHours(db, { now: new Date(at) });
    }
    expect(await problems(db, [...burst, late])).toEqual([]);
  });
});
