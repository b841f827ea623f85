import { describe, expect, it } from "vitest";
import { macFloodRule } from "./mac-flood";
import { healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

/** A flooding tool starts at sample 20: the learned-MAC count climbs by `perSample` each sample. */
function flood(perSample: number, count = 30) {
  return series({ count, seed: 13, macs: (i, r) => (i < 20 ? 118 + Math.floor(r() * 6) : 120 + (i - 19) * perSample) });
}

describe("MAC flood", () => {
  it("stays quiet with the ~120 MACs of a normal segment", () => {
    expect(macFloodRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("warns when the tables fill, and says the count exceeds what the subnet can hold", () => {
    const [c] = macFloodRule(makeInput({ source: flood(600) }));
    expect(c).toMatchObject({ kind: "mac-flood", severity: "warning", dedupeKey: `mac-flood:${TUNNEL_ID}` });
    expect(c!.message).toMatch(/^The bridges behind the source gateway have learned 4 096 or more MAC addresses for 4 consecutive samples \(2 min\): 6 120 at the source gateway\./);
    expect(c!.message).toContain("more MAC addresses than 10.20.0.0/24 has host addresses (254)");
    expect(c!.details).toMatchObject({ subnetHostAddresses: 254 });
  });

  it("is critical past 16 384 learned MACs", () => {
    expect(macFloodRule(makeInput({ source: flood(3_000) }))[0]?.severity).toBe("critical");
  });

  it("does not fire on a single odd reading", () => {
    const blip = series({ count: 30, macs: (i) => (i === 29 ? 20_000 : 120) });
    expect(macFloodRule(makeInput({ source: blip }))).toEqual([]);
  });

  it("leaves the subnet comparison out for IPv6 subnets", () => {
    const [c] = macFloodRule(makeInput({ source: flood(600), tenant: { subnet: "2001:db8:10::/64" } }));
    expect(c!.message).not.toContain("host addresses");
    expect(c!.details).toMatchObject({ subnetHostAddresses: null });
  });
});
