import { describe, expect, it } from "vitest";
import { assembleNocSnapshot, type NocReads } from "./noc";
import { serveNocSnapshot } from "./noc-cache";
import type { CurrentEnd } from "./tunnel-throughput";

const NOW = new Date("2025-06-01T12:00:30Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** `tunnels` tunnels, two per tenant (the last alone if odd), each with a source and an AVS end that reported; the even ones' ends both say "active". */
function reads(tunnels: number): NocReads {
  const tileRows = Array.from({ length: tunnels }, (_, i) => ({
    tunnelId: `t${i}`,
    slug: `tenant-${Math.floor(i / 2)}`,
    ordinal: (i % 2) + 1,
    name: i % 2 === 0 ? "primary" : "secondary",
    status: "operational" as const,
    statusChangedAt: ago(60_000).toISOString(),
    paired: i % 2 === 1 || i + 1 < tunnels,
    sourceId: `t${i}-source`,
    avsId: `t${i}-avs`,
    sourceRole: i % 2 === 0 ? ("active" as const) : null,
    avsRole: i % 2 === 0 ? ("active" as const) : null,
    lastSampleMs: ago(1_000 * (i + 1)).getTime(),
  }));
  const endIds = tileRows.flatMap((t) => [t.sourceId, t.avsId]);
  const ends = new Map<string, CurrentEnd>(
    endIds.map((id, k) => [
      id,
      { rttMs: 10 + k, rate: id.endsWith("-source") ? { from: ago(20_000).toISOString(), to: ago(10_000).toISOString(), txBps: 1_000 * k, rxBps: 500, txPps: 1, rxPps: 1 } : null },
    ]),
  );
  return {
    tileRows,
    series: { valuesOf: (ids) => Array.from({ length: 60 }, (_, k) => (k % 7 === 0 ? null : ids.length + k / 3)) },
    warningRows: [{ id: "w1", severity: "critical", kind: "tunnel-down", message: "Probes from 10.1.2.3 fail. More.", openedAt: ago(120_000), state: "open", slug: "tenant-0", tunnelName: "primary" }],
    warningCountRows: [{ severity: "critical", n: 1 }],
    ends,
  };
}

/** A clock that moves `ms` every time it is read: a loop that reads it per item "takes" that long per item. */
const steppingClock = (ms: number) => {
  let t = 0;
  return () => (t += ms);
};

describe("assembling the wall's snapshot", () => {
  it("builds the same snapshot in slices as in one piece", async () => {
    const whole = await assembleNocSnapshot(reads(9), NOW, { sliceMs: Number.POSITIVE_INFINITY });
    expect(await assembleNocSnapshot(reads(9), NOW, { sliceMs: 10, now: steppingClock(4) })).toEqual(whole);
    expect(whole.tiles).toHaveLength(9);
    // Tunnel 0: ends 0 and 1 (RTT 10 and 11 ms); its source end's rate; a pair whose ends both report "active".
    expect(whole.tiles[0]).toMatchObject({ label: "tenant-0/primary", rttMs: 10.5, pairRole: "carrying", throughput: { toAvsBps: 0, fromAvsBps: 500 } });
    // Tunnel 8 is its tenant's only one: no pair role.
    expect(whole.tiles[8]!.pairRole).toBeNull();
    expect(whole.newestSampleAt).toBe(ago(1_000).toISOString());
    expect(whole.warnings[0]!.message).toBe("Probes from [address] fail.");
  });

  it("is served, written in slices, as exactly the JSON.stringify of what it builds", async () => {
    const built = await assembleNocSnapshot(reads(9), NOW, { sliceMs: Number.POSITIVE_INFINITY });
    expect((await serveNocSnapshot(built, { sliceMs: 0 })).body.toString("utf8")).toBe(JSON.stringify(built));
  });

  it("lets the event loop turn once a slice has run its length, so requests are answered while a large fleet's snapshot is built", async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const done = assembleNocSnapshot(reads(50), NOW, { sliceMs: 10, now: steppingClock(4) }).then(() => turned);
    expect(await done).toBe(true);
  });

  it("builds a small fleet's snapshot in one piece when it takes less than a slice", async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const done = assembleNocSnapshot(reads(50), NOW, { sliceMs: 10, now: () => 0 }).then(() => turned);
    expect(await done).toBe(false);
  });
});
