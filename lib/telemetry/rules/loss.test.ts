import { describe, expect, it } from "vitest";
import { lossRule } from "./loss";
import { healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

/** Healthy, then `burst` samples of `pct` % loss at the end, then `after` healthy samples. */
function lossBurst(pct: number, burst: number, after = 0, seed = 5) {
  const count = 20 + burst + after;
  return series({ count, seed, loss: (i) => (i >= 20 && i < 20 + burst ? pct : 0) });
}

describe("packet loss", () => {
  it("stays quiet with no loss", () => {
    expect(lossRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("warns from 1 % and is critical from 5 %, saying which direction to look at", () => {
    const [warning] = lossRule(makeInput({ source: lossBurst(2, 4), avs: healthyBoth(24).avs }));
    expect(warning).toMatchObject({ kind: "loss", severity: "warning", dedupeKey: `loss:${TUNNEL_ID}` });
    expect(warning!.message).toBe(
      "Packet loss measured by the source gateway has been at or above 1 % for 4 consecutive samples (2 min): 2 % at the " +
        "source gateway (peak 2 %). Only the source gateway sees it, so look first at the direction toward the AVS edge bridge. " +
        "Loss across the tunnel cuts TCP throughput for every workload on the segment; check the underlay for errors or drops " +
        "(interface counters, the ISP or ExpressRoute circuit) and the gateways for CPU or queue exhaustion.",
    );
    const [critical] = lossRule(makeInput({ source: lossBurst(12, 5), avs: lossBurst(9, 5, 0, 6) }));
    expect(critical).toMatchObject({ severity: "critical", details: { source: { latest: 12 }, avs: { latest: 9 } } });
    expect(critical!.message).not.toContain("Only the");
  });

  it("ignores a single lossy sample and a burst that has already passed", () => {
    expect(lossRule(makeInput({ source: lossBurst(30, 1) }))).toEqual([]);
    expect(lossRule(makeInput({ source: lossBurst(30, 2) }))).toEqual([]);
    expect(lossRule(makeInput({ source: lossBurst(30, 6, 1) }))).toEqual([]);
  });

  it("stays quiet on the background loss of a busy internet VPN (0–0.8 %)", () => {
    const background = series({ count: 30, loss: (i) => [0, 0.4, 0, 0.8, 0.2][i % 5]! });
    expect(lossRule(makeInput({ source: background, avs: background }))).toEqual([]);
  });

  it("lets a tenant with a tolerant link raise the warning level", () => {
    expect(lossRule(makeInput({ source: lossBurst(2, 4) }))).toHaveLength(1);
    expect(lossRule(makeInput({ source: lossBurst(2, 4), overrides: { lossWarningPct: 3 } }))).toEqual([]);
  });
});
