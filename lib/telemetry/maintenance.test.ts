import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/client";
import { telemetryRollups } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertSamples, resetTelemetry, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { HOURS_MAY_LAG_MS, lockedSteps, runMaintenanceRound, startTelemetryMaintenance, TELEMETRY_MAINTENANCE_LOCK_KEY } from "./maintenance";
import { WATERMARK } from "./rollup";
import { queryRows } from "./sql";

const NOW = new Date("2026-11-21T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describeEachDatabase("telemetry maintenance", ({ handle, kind }) => {
  let db: Database;
  let tunnel: TestTunnel;

  beforeAll(async () => {
    db = handle().db;
    [tunnel] = (await createTunnels(db, 1)) as [TestTunnel];
  });
  beforeEach(async () => resetTelemetry(db));

  /** `minutes` samples, one a minute ending at `end`, received a second after measurement. */
  const samplesUntil = (end: Date, minutes: number) =>
    Array.from({ length: minutes }, (_, i) => {
      const measuredAt = new Date(end.getTime() - i * 60_000);
      return { endpointId: tunnel.source, measuredAt, receivedAt: new Date(measuredAt.getTime() + 1_000), rttMs: i };
    });
  const countRollups = async (resolution: "1m" | "1h") =>
    (await db.select().from(telemetryRollups)).filter((r) => r.resolution === resolution).length;

  it("runs a round under the advisory lock: roll-ups, then retention", async () => {
    // The lock function exists and is free on this database (PGlite included).
    expect(await lockedSteps(db)(async () => "ran")).toBe("ran");
    await insertSamples(db, [...samplesUntil(ago(60_000), 30), ...samplesUntil(ago(8 * 24 * 3_600_000), 5)]);
    const round = await runMaintenanceRound(db, { now: NOW });
    expect(round).toMatchObject({ skipped: false, caughtUp: true, minutes: { buckets: 35 }, retention: { raw: 5 } });
    expect(await countRollups("1m")).toBe(35);
    // The lock went with each step's transaction: the next round takes it again.
    expect(await runMaintenanceRound(db, { now: NOW })).toMatchObject({ skipped: false, minutes: { buckets: 0 } });
  });

  it("holds the 1-hour roll-up back while the 1-minute one has a backlog, unless it falls an hour behind", async () => {
    // 30 minutes, one sample a minute: a few rounds of a few chunks each.
    await insertSamples(db, samplesUntil(ago(60_000), 30));
    const hourChunks: number[] = [];
    for (let i = 0; i < 100; i++) {
      const round = await runMaintenanceRound(db, { now: NOW, minuteChunks: { chunkSamples: 5, maxChunks: 2 } });
      if (round.skipped) throw new Error("skipped");
      hourChunks.push(round.hours.chunks);
      if (round.caughtUp) break;
      expect(await countRollups("1h")).toBe(0);
    }
    // Held back every round the minutes were behind, then one pass for the lot.
    expect(hourChunks.length).toBeGreaterThan(2);
    expect(hourChunks).toEqual([...hourChunks.slice(0, -1).map(() => 0), 1]);
    expect(await countRollups("1m")).toBe(30);
    expect(await countRollups("1h")).toBe(1);

    // Three hours more arrive (a job that was down): once the minutes are more than an hour
    // past the hours, the hours go along in every round, backlog or not.
    const later = new Date(NOW.getTime() + 3 * 3_600_000);
    await insertSamples(db, samplesUntil(new Date(later.getTime() - 60_000), 180));
    const rounds: number[] = [];
    for (let i = 0; i < 100; i++) {
      const round = await runMaintenanceRound(db, { now: later, minuteChunks: { chunkSamples: 20, maxChunks: 2 } });
      if (round.skipped) throw new Error("skipped");
      rounds.push(round.hours.chunks);
      if (round.caughtUp) break;
    }
    // 40 minutes a round: held back once (40 minutes behind), then along (80, then 120, …).
    expect(rounds.slice(0, 2)).toEqual([0, 1]);
    expect(rounds.at(-1)).toBe(1);
    expect(await countRollups("1m")).toBe(210);
    expect(await countRollups("1h")).toBe(4);
  });

  it("runs the first 1-hour pass once the minutes are an hour in, under a backlog that never ends", async () => {
    // A fresh database (no 1-hour watermark yet) and samples arriving faster than the rounds
    // roll them up: thirty a round, twenty rolled up. The minutes never catch up.
    const rounds: { hours: number; minutesAhead: number }[] = [];
    const first = NOW.getTime() - 10 * 3_600_000;
    // The first round's oldest sample: measured 29 minutes and 2 s before its round, received a second later.
    const firstArrival = first + 30 * 60_000 - 29 * 60_000 - 1_000;
    for (let i = 0; i < 8; i++) {
      const now = new Date(first + (i + 1) * 30 * 60_000);
      await insertSamples(db, samplesUntil(new Date(now.getTime() - 2_000), 30));
      const round = await runMaintenanceRound(db, { now, minuteChunks: { chunkSamples: 20, maxChunks: 1 } });
      if (round.skipped) throw new Error("skipped");
      expect(round.minutes.caughtUp).toBe(false);
      rounds.push({ hours: round.hours.chunks, minutesAhead: round.minutes.through!.getTime() - firstArrival });
    }
    // Held back while the minutes are less than an hour of arrivals in, run from the round they pass it.
    const due = rounds.findIndex((r) => r.minutesAhead > HOURS_MAY_LAG_MS);
    expect(due).toBeGreaterThan(0);
    expect(rounds.slice(0, due).map((r) => r.hours)).toEqual(rounds.slice(0, due).map(() => 0));
    expect(rounds[due]!.hours).toBeGreaterThan(0);
    expect(await countRollups("1h")).toBeGreaterThan(0);
  });

  it("logs a failed round and goes on; stop() ends the loop", async () => {
    await insertSamples(db, samplesUntil(ago(60_000), 10));
    const logger = { log: vi.fn(), error: vi.fn() };
    let calls = 0;
    const job = startTelemetryMaintenance(db, {
      intervalMs: 10,
      logger,
      now: () => {
        calls += 1;
        if (calls === 1) throw new Error("clock unavailable");
        return NOW;
      },
    });
    try {
      await vi.waitFor(() => expect(logger.error).toHaveBeenCalledWith("[telemetry] round failed: clock unavailable"));
      await vi.waitFor(async () => expect(await countRollups("1m")).toBe(10));
    } finally {
      await job.stop();
    }
  });

  it.skipIf(kind !== "postgres")("skips the round while another instance holds the job's lock", async () => {
    await insertSamples(db, samplesUntil(ago(60_000), 10));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const otherInstance = db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${TELEMETRY_MAINTENANCE_LOCK_KEY}::bigint)`);
      holding();
      await released;
    });
    await held;
    expect(await runMaintenanceRound(db, { now: NOW })).toEqual({ skipped: true });
    expect(await countRollups("1m")).toBe(0);
    release();
    await otherInstance;
    expect(await runMaintenanceRound(db, { now: NOW })).toMatchObject({ skipped: false, minutes: { buckets: 10 } });
  });

  /** Holds the 1-minute watermark's row, so a round that takes the job's lock then waits on it. */
  async function holdWatermarkRow() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const done = db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from telemetry_watermarks where name = ${WATERMARK.minutes} for update`);
      holding();
      await released;
    });
    await held;
    return { release: () => (release(), done) };
  }
  const waitUntilBlocked = () =>
    vi.waitFor(async () => {
      const [row] = await queryRows<{ waiting: number }>(
        db,
        sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      expect(row?.waiting).toBe(1);
    });

  it.skipIf(kind !== "postgres")("of two rounds at once on PostgreSQL, one does the work and the other skips", async () => {
    await runMaintenanceRound(db, { now: ago(10 * 60_000) });
    await insertSamples(db, samplesUntil(ago(60_000), 10));
    const row = await holdWatermarkRow();
    const first = runMaintenanceRound(db, { now: NOW });
    try {
      await waitUntilBlocked();
      // The first round holds the job's lock while it waits: the second gives up at once.
      expect(await runMaintenanceRound(db, { now: NOW })).toEqual({ skipped: true });
    } finally {
      await row.release();
    }
    expect(await first).toMatchObject({ skipped: false, minutes: { buckets: 10 }, hours: { buckets: 1 } });
    expect(await countRollups("1m")).toBe(10);
  });

  it.skipIf(kind !== "postgres")("stop() resolves only after the round in flight has finished", async () => {
    await runMaintenanceRound(db, { now: ago(10 * 60_000) });
    await insertSamples(db, samplesUntil(ago(60_000), 10));
    const row = await holdWatermarkRow();
    const job = startTelemetryMaintenance(db, { intervalMs: 60_000, now: () => NOW, logger: { log: vi.fn(), error: vi.fn() } });
    let stopped = false;
    let stopping: Promise<unknown> | undefined;
    try {
      await waitUntilBlocked();
      stopping = job.stop().then(() => (stopped = true));
      // A stop() that did not wait would have resolved by the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
    } finally {
      await row.release();
      await (stopping ?? job.stop());
    }
    expect(stopped).toBe(true);
    expect(await countRollups("1m")).toBe(10);
  });
});
