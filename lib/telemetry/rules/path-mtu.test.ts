import { describe, expect, it } from "vitest";
import { pathMtuRule } from "./path-mtu";
import { healthyBoth, makeInput, series, TUNNEL_ID } from "@/tests/support/rule-timeline";

/** DF probes start failing at sample `from` (a provider changed an underlay link's MTU). */
function dfFailing(from: number, count = 30, bytes = 1427) {
  return series({ count, seed: 17, dfBytes: bytes, dfOk: (i) => i < from });
}

describe("path MTU", () => {
  it("stays quiet while the don't-fragment probes pass", () => {
    expect(pathMtuRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("is critical once probes fail in a row while ordinary traffic passes, with the probe size and the fixes", () => {
    const [c] = pathMtuRule(makeInput({ source: dfFailing(24), avs: healthyBoth(30).avs }));
    expect(c).toMatchObject({ kind: "path-mtu", severity: "critical", dedupeKey: `path-mtu:${TUNNEL_ID}`, details: { probeBytes: 1427, sides: { source: { consecutive: 6 } } } });
    expect(c!.message).toMatch(/^Don't-fragment probes of 1427 bytes \(a full-size tunnel packet: the tenant MTU plus the encapsulation\) are failing from the source gateway \(6 in a row\)/);
    expect(c!.message).toContain("clamp TCP MSS");
    expect(c!.message).toContain("ESP adds up to 73 bytes");
  });

  it("leaves the ESP remark out when the transport is not IPsec", () => {
    const [c] = pathMtuRule(makeInput({ source: dfFailing(24), tenant: { transport: "expressroute-global-reach" } }));
    expect(c!.message).not.toContain("ESP");
  });

  it("needs dfFailuresToOpen failures in a row: one lost probe is not an MTU problem", () => {
    expect(pathMtuRule(makeInput({ source: dfFailing(28) }))).toEqual([]);
    expect(pathMtuRule(makeInput({ source: dfFailing(27) }))).toHaveLength(1);
    expect(pathMtuRule(makeInput({ source: dfFailing(27), overrides: { dfFailuresToOpen: 5 } }))).toEqual([]);
    const alternating = series({ count: 30, dfOk: (i) => i % 2 === 0 });
    expect(pathMtuRule(makeInput({ source: alternating }))).toEqual([]);
  });

  it("does not blame the MTU for probes lost with everything else, or count samples that sent no probe", () => {
    const outage = series({ count: 30, loss: (i) => (i >= 25 ? 100 : 0) });
    expect(outage.at(-1)).toMatchObject({ dfProbeOk: false, lossPct: 100 });
    expect(pathMtuRule(makeInput({ source: outage }))).toEqual([]);
    const sparse = series({ count: 30, dfOk: (i) => (i % 2 === 0 && i >= 24 ? false : null) });
    expect(pathMtuRule(makeInput({ source: sparse }))[0]?.details).toMatchObject({ sides: { source: { consecutive: 3 } } });
  });
});
