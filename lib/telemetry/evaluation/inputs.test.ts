/**
 * What the evaluation reads for a batch of tenants, on both databases: each tenant's own window,
 * the hop path only on the newest traces the rules compare, and the baseline computed in SQL
 * exactly as `computeBaselineRtt` defines it.
 */
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { createTunnels, insertRollups, insertSamples, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { computeBaselineRtt } from "../thresholds";
import { readTenantRows } from "./inputs";

const NOW = new Date("2026-11-20T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const hop = (address: string) => [{ ttl: 1, address, rttMs: 1 }];

describeEachDatabase("the evaluation's reads", ({ handle }) => {
  let db: Database;
  let wide: TestTunnel;
  let narrow: TestTunnel;

  beforeAll(async () => {
    db = handle().db;
    const made = await createTunnels(db, 2);
    wide = made[0]!;
    narrow = made[1]!;
    await db.update(tenants).set({ warningThresholds: { windowMinutes: 5 } }).where(eq(tenants.id, narrow.tenantId));
    // Twenty minutes of 30-second samples from both tunnels' source ends, every one traced.
    for (const t of [wide, narrow]) {
      await insertSamples(
        db,
        Array.from({ length: 40 }, (_, i) => ({ endpointId: t.source, measuredAt: minutesAgo(20 - i / 2), rttMs: 10 + i, path: hop(`192.0.2.${i + 1}`) })),
      );
    }
  });

  it("reads each tenant's own window, oldest first, with the path only on its newest traces", async () => {
    const rows = await readTenantRows(db, [wide.tenantId, narrow.tenantId], NOW);
    const samplesOf = (t: TestTunnel) => rows.find((r) => r.tenant.id === t.tenantId)!.samples.get(t.source)!;
    const wideSamples = samplesOf(wide);
    const narrowSamples = samplesOf(narrow);
    expect(wideSamples.map((s) => s.measuredAt)).toEqual(Array.from({ length: 30 }, (_, i) => minutesAgo(15 - i / 2)));
    expect(narrowSamples.map((s) => s.measuredAt)).toEqual(Array.from({ length: 10 }, (_, i) => minutesAgo(5 - i / 2)));
    // openAfterConsecutive (3) traces are compared; the rest of the window travels without its path.
    expect(wideSamples.filter((s) => s.path).map((s) => s.path![0]!.address)).toEqual(["192.0.2.38", "192.0.2.39", "192.0.2.40"]);
    expect(wideSamples.slice(0, -3).every((s) => s.path === null)).toBe(true);
    expect(wideSamples.at(-1)).toMatchObject({ rttMs: 49, lossPct: null });
  });

  it("computes the baseline in SQL as computeBaselineRtt does: the last week's hourly medians, nothing below 24 hours of them, no NaN or infinity", async () => {
    const values = Array.from({ length: 30 }, (_, i) => (i % 7 === 0 ? null : 5 + ((i * 37) % 11)));
    const rollup = (h: number, rtt: number | null) => ({ endpointId: wide.source, resolution: "1h" as const, bucketStart: hoursAgo(h), samples: 120, rttAvgMs: rtt, rttSamples: rtt === null ? 0 : 120 });
    await insertRollups(db, [
      ...values.map((v, i) => rollup(i + 1, v)),
      rollup(40, Number.NaN),
      rollup(41, Number.POSITIVE_INFINITY),
      rollup(42, -3),
      // Older than the week: not part of the baseline.
      rollup(8 * 24, 900),
    ]);
    // One hour short of a baseline: 23 usable hours.
    await insertRollups(db, Array.from({ length: 23 }, (_, i) => ({ ...rollup(i + 1, 20), endpointId: narrow.source })));

    const rows = await readTenantRows(db, [wide.tenantId, narrow.tenantId], NOW);
    const baseline = rows[0]!.baselines;
    expect(baseline.get(wide.source)).toBe(computeBaselineRtt([...values, Number.NaN, Number.POSITIVE_INFINITY, -3]));
    expect(baseline.get(wide.source)).not.toBeNull();
    expect(baseline.get(narrow.source)).toBeNull();
  });
});
