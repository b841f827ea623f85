import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UNDERLAY_MTU } from "./limits";
import { computeMtuBudget, describeMtuShortfall } from "./mtu";

describe("computeMtuBudget", () => {
  it("VXLAN over IPv4 on a 1500 underlay with IPsec: 1500 − 50 − 73 = 1377, MSS 1337", () => {
    const budget = computeMtuBudget({ underlayMtu: 1500, encapsulation: "vxlan", transport: "ipsec-vpn" });
    expect(budget).toMatchObject({ innerMtu: 1377, mss: 1337, fitsStandardFrames: false, underlayNeededForStandard: 1623 });
    expect(budget.arithmetic).toEqual([
      "underlay MTU 1500",
      "− 50 VXLAN over IPv4",
      "− 73 IPsec ESP (tunnel mode, worst case)",
      "= inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
    ]);
  });

  it("needs no ESP over ExpressRoute: 1600 − 50 leaves room for 1500-byte frames", () => {
    const budget = computeMtuBudget({ underlayMtu: 1600, encapsulation: "vxlan", transport: "expressroute-global-reach" });
    expect(budget).toMatchObject({ innerMtu: 1550, fitsStandardFrames: true, transportBytes: 0 });
    expect(describeMtuShortfall(budget)).toBeNull();
  });

  it("counts 70 bytes for VXLAN over an IPv6 underlay and 66 for L2TPv3", () => {
    expect(computeMtuBudget({ underlayMtu: 9000, encapsulation: "vxlan", transport: "sd-wan", underlayFamily: "ipv6" }).innerMtu).toBe(8930);
    expect(computeMtuBudget({ underlayMtu: 1500, encapsulation: "l2tpv3", transport: "sd-wan", underlayFamily: "ipv6" }).innerMtu).toBe(1434);
    expect(computeMtuBudget({ underlayMtu: 1500, encapsulation: "l2tpv3", transport: "ipsec-vpn" }).innerMtu).toBe(1381);
  });

  it("tells an operator with a small underlay both fixes, with numbers", () => {
    const shortfall = describeMtuShortfall(computeMtuBudget({ underlayMtu: 1500, encapsulation: "vxlan", transport: "ipsec-vpn" }));
    expect(shortfall).toBe(
      "The underlay MTU of 1500 leaves 1377 bytes for the stretched network, 123 short of 1500. Raise the underlay MTU to at least 1623, or set the workloads' MTU to 1377 and clamp TCP MSS to 1337 on both gateways.",
    );
  });

  it.each([UNDERLAY_MTU.min - 1, 576, UNDERLAY_MTU.max + 1, 1500.5, Number.NaN])("refuses an underlay MTU of %s", (underlayMtu) => {
    expect(() => computeMtuBudget({ underlayMtu, encapsulation: "vxlan", transport: "ipsec-vpn" })).toThrow(RangeError);
  });

  it("always adds back up: inner MTU + overheads = underlay, and the standard underlay is exactly the fitting threshold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: UNDERLAY_MTU.min, max: UNDERLAY_MTU.max }),
        fc.constantFrom("vxlan" as const, "l2tpv3" as const),
        fc.constantFrom("ipsec-vpn" as const, "expressroute-global-reach" as const, "sd-wan" as const),
        fc.constantFrom("ipv4" as const, "ipv6" as const),
        (underlayMtu, encapsulation, transport, underlayFamily) => {
          const b = computeMtuBudget({ underlayMtu, encapsulation, transport, underlayFamily });
          expect(b.innerMtu + b.encapsulationBytes + b.transportBytes).toBe(underlayMtu);
          expect(b.fitsStandardFrames).toBe(underlayMtu >= b.underlayNeededForStandard);
          expect(b.mss).toBe(b.innerMtu - 40);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
