import { describe, expect, it } from "vitest";
import { broadcastStormRule } from "./broadcast-storm";
import { around, healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

/** A loop forms at sample 22: BUM climbs to `peak` packets/s within three samples and stays. */
function storm(peak: number, count = 30) {
  return series({ count, seed: 9, bum: (i, r) => (i < 22 ? around(r, 40, 25) : around(r, Math.min(peak, 40 * 10 ** (i - 21)), peak * 0.05)) });
}

describe("broadcast storm", () => {
  it("stays quiet at ordinary ARP and multicast rates", () => {
    expect(broadcastStormRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("is critical when a loop floods tens of thousands of packets per second across the tunnel", () => {
    const [c] = broadcastStormRule(makeInput({ source: storm(50_000), avs: storm(48_000) }));
    expect(c).toMatchObject({ kind: "broadcast-storm", severity: "critical", dedupeKey: `broadcast-storm:${TUNNEL_ID}` });
    expect(c!.message).toMatch(/at or above 10 000 packets\/s for \d+ consecutive samples/);
    expect(c!.message).toContain("switching loop");
    expect(c!.details).toMatchObject({ warningPps: 1000, criticalPps: 10_000 });
  });

  it("warns on a sustained flood below the critical rate", () => {
    expect(broadcastStormRule(makeInput({ source: storm(3_000) }))[0]?.severity).toBe("warning");
  });

  it("does not fire on one burst (a host booting, a gratuitous-ARP wave)", () => {
    const burst = series({ count: 30, bum: (i, r) => (i === 28 || i === 29 ? 6_000 : around(r, 40, 25)) });
    expect(broadcastStormRule(makeInput({ source: burst }))).toEqual([]);
    const ragged = series({ count: 30, bum: (i, r) => (i % 2 ? around(r, 1_100, 50) : around(r, 600, 100)) });
    expect(broadcastStormRule(makeInput({ source: ragged }))).toEqual([]);
  });

  it("follows a tenant's own levels (a multicast-heavy tenant)", () => {
    expect(broadcastStormRule(makeInput({ source: storm(3_000), overrides: { bumWarningPps: 5_000, bumCriticalPps: 20_000 } }))).toEqual([]);
  });
});
