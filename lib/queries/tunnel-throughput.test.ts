import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "@/tests/support/databases";
import { readCurrentEndRatesBefore, readCurrentEndsBefore } from "@/tests/support/noc-before";
import { createTunnels, insertSamples, type SampleRow, type TestTunnel } from "@/tests/support/telemetry-fixtures";
import { readCurrentEndRates, readCurrentEnds } from "./tunnel-throughput";

const NOW = new Date("2025-06-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const WINDOW = 90_000;
const MB = 1_000_000;

describeEachDatabase("each end's newest RTT and current rate, in one read", ({ handle }) => {
  let t: TestTunnel[];
  beforeAll(async () => {
    t = await createTunnels(handle().db, 8);
    const rows: SampleRow[] = [
      // 0: both ends every 10 s, RTT and counters in every sample (the common case).
      ...[60_000, 50_000, 40_000, 30_000, 20_000, 10_000].flatMap((a, i) => [
        { endpointId: t[0]!.source, measuredAt: ago(a), rttMs: 10 + i, txBytes: i * MB, rxBytes: i * 2 * MB, txPackets: i * 1000, rxPackets: i * 2000 },
        { endpointId: t[0]!.avs, measuredAt: ago(a), rttMs: 11 + i, txBytes: i * 3 * MB, rxBytes: i * MB },
      ]),
      // 1: the newest sample carries an RTT but no counters: the rate comes from the two before it.
      { endpointId: t[1]!.source, measuredAt: ago(70_000), txBytes: 0, rxBytes: 0 },
      { endpointId: t[1]!.source, measuredAt: ago(40_000), rttMs: 3, txBytes: 15 * MB, rxBytes: 30 * MB },
      { endpointId: t[1]!.source, measuredAt: ago(5_000), rttMs: 7.25 },
      // 2: the newest sample carries counters but no RTT.
      { endpointId: t[2]!.avs, measuredAt: ago(30_000), rttMs: 20, txBytes: 2 ** 40, rxBytes: 5 },
      { endpointId: t[2]!.avs, measuredAt: ago(20_000), rxBytes: 105, txBytes: 2 ** 40 + 10 * MB },
      // 3: one sample with counters in the window: an RTT, no rate.
      { endpointId: t[3]!.source, measuredAt: ago(15_000), rttMs: 42, txBytes: 5 * MB },
      // 3's other end sends RTTs but no counters at all: an RTT, no rate (and not left out).
      { endpointId: t[3]!.avs, measuredAt: ago(50_000), rttMs: 8 },
      { endpointId: t[3]!.avs, measuredAt: ago(12_000), rttMs: null },
      // 4: the counters went down (a restart): no rate across it.
      { endpointId: t[4]!.source, measuredAt: ago(25_000), rttMs: 1, txBytes: 900 * MB },
      { endpointId: t[4]!.source, measuredAt: ago(15_000), rttMs: 2, txBytes: 1 * MB },
      // 5: quiet for longer than the window: not current at all.
      { endpointId: t[5]!.source, measuredAt: ago(WINDOW + 1_000), rttMs: 99, txBytes: 0 },
      // 6: a 32-bit counter wrapped (1,500 bytes moved), and one past 2^53 where a double is not exact (set below).
      { endpointId: t[6]!.source, measuredAt: ago(30_000), rttMs: 5, txBytes: 2 ** 32 - 1_000, txPackets: 10 },
      { endpointId: t[6]!.source, measuredAt: ago(20_000), rttMs: 6, txBytes: 500, txPackets: 20 },
      // 6's other end restarted from past 2^53 to just under it: no rate.
      { endpointId: t[6]!.avs, measuredAt: ago(30_000), rttMs: 5 },
      { endpointId: t[6]!.avs, measuredAt: ago(20_000), rttMs: 6 },
      // 7: the counters' newest two are 80 s apart, inside the 90 s window.
      { endpointId: t[7]!.source, measuredAt: ago(85_000), txBytes: 0 },
      { endpointId: t[7]!.source, measuredAt: ago(5_000), rttMs: 1, txBytes: 8 * MB },
    ];
    await insertSamples(handle().db, rows);
    // Counters beyond a double's exact integers, written as text: 2^53 + 1 → 2^53 + 1,002 is 1,001 bytes.
    const setRx = (endpointId: string, at: Date, value: string) =>
      handle().db.execute(sql`update telemetry_samples set rx_bytes = ${value}::bigint where endpoint_id = ${endpointId} and measured_at = ${at.toISOString()}::timestamptz`);
    await setRx(t[6]!.source, ago(30_000), "9007199254740993");
    await setRx(t[6]!.source, ago(20_000), "9007199254741994");
    await setRx(t[6]!.avs, ago(30_000), "9007199254745993");
    await setRx(t[6]!.avs, ago(20_000), "9007199254740000");
  });

  it("gives each end that reported its newest sample's RTT and its rate over its newest two samples with counters", async () => {
    const ends = await readCurrentEnds(handle().db, { now: NOW, maxGapMs: WINDOW });
    expect(ends.get(t[0]!.source)).toEqual({
      rttMs: 15,
      rate: { from: ago(20_000).toISOString(), to: ago(10_000).toISOString(), txBps: 800_000, rxBps: 1_600_000, txPps: 100, rxPps: 200 },
    });
    expect(ends.get(t[1]!.source)).toEqual({ rttMs: 7.25, rate: { from: ago(70_000).toISOString(), to: ago(40_000).toISOString(), txBps: 4 * MB, rxBps: 8 * MB, txPps: null, rxPps: null } });
    expect(ends.get(t[2]!.avs)).toEqual({ rttMs: null, rate: { from: ago(30_000).toISOString(), to: ago(20_000).toISOString(), txBps: 8 * MB, rxBps: 80, txPps: null, rxPps: null } });
    expect(ends.get(t[3]!.source)).toEqual({ rttMs: 42, rate: null });
    // The newest sample's RTT, even when it is missing: not an older one passed off as current.
    expect(ends.get(t[3]!.avs)).toEqual({ rttMs: null, rate: null });
    expect(ends.get(t[4]!.source)).toEqual({ rttMs: 2, rate: null });
    expect(ends.has(t[5]!.source)).toBe(false);
    // Wrapped and past 2^53: exact (1,500 and 1,001 bytes in 10 s); a restart gives none.
    expect(ends.get(t[6]!.source)).toEqual({ rttMs: 6, rate: { from: ago(30_000).toISOString(), to: ago(20_000).toISOString(), txBps: 1_200, rxBps: 800.8, txPps: 1, rxPps: null } });
    expect(ends.get(t[6]!.avs)).toEqual({ rttMs: 6, rate: null });
    expect(ends.get(t[7]!.source)).toEqual({ rttMs: 1, rate: { from: ago(85_000).toISOString(), to: ago(5_000).toISOString(), txBps: 800_000, rxBps: null, txPps: null, rxPps: null } });
    expect(ends.size).toBe(10);
  });

  it.each([0, 20_000, -45_000, 65_000])("answers exactly what the two reads it replaces answered, %i ms from now", async (shift) => {
    const options = { now: new Date(NOW.getTime() + shift), maxGapMs: WINDOW };
    const [folded, before] = await Promise.all([readCurrentEnds(handle().db, options), readCurrentEndsBefore(handle().db, options)]);
    expect(Object.fromEntries(folded)).toEqual(Object.fromEntries(before));
    expect(Object.fromEntries(await readCurrentEndRates(handle().db, options))).toEqual(Object.fromEntries(await readCurrentEndRatesBefore(handle().db, options)));
  });
});
