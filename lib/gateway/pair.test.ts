import { describe, expect, it } from "vitest";
import { gatewayContext } from "./context";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS } from "@/tests/support/gateway-inputs";
import { describePairRole, pairAddresses, planPairEnd, SWEEP_MAX_ADDRESSES, sweepMac } from "./pair";
import { variant } from "@/tests/support/gateway-variants";

const primary = gatewayContext(CONTOSO_PAIR_INPUTS[0]);
const standby = gatewayContext(CONTOSO_PAIR_INPUTS[1]);

describe("the pair's plan", () => {
  it("is nothing for a tenant with one tunnel", () => {
    const single = gatewayContext(CONTOSO_INPUT);
    expect(planPairEnd(single, "source")).toBeNull();
    expect(describePairRole(single)).toBeNull();
  });

  it("gives both members of a group the same group number and virtual address, and each its own source address", () => {
    for (const side of ["source", "avs"] as const) {
      const one = planPairEnd(primary, side)!;
      const two = planPairEnd(standby, side)!;
      expect(one.vrid).toBe(two.vrid);
      // keepalived discards an advertisement whose address list differs from its own (a split brain).
      expect(one.virtualAddress).toBe(two.virtualAddress);
      expect(one.ownAddress).toBe(two.partnerAddress);
      expect(two.ownAddress).toBe(one.partnerAddress);
      expect(one.ownAddress).not.toBe(two.ownAddress);
    }
    // Two groups, so the gateways never mistake the edge bridges' election for theirs.
    expect(planPairEnd(primary, "source")!.vrid).not.toBe(planPairEnd(primary, "avs")!.vrid);
  });

  it("makes tunnel 1 the primary on both sides; only its source gateway holds down before taking the traffic back", () => {
    expect(planPairEnd(primary, "source")).toMatchObject({ preferred: "primary", priority: 200, partnerPriority: 100, holdDownSeconds: 60, hearingBonus: 0 });
    expect(planPairEnd(standby, "source")).toMatchObject({ preferred: "standby", priority: 100, partnerPriority: 200 });
    expect(planPairEnd(primary, "avs")).toMatchObject({ priority: 100, partnerPriority: 50, holdDownSeconds: 0, hearingBonus: 100 });
    // An edge bridge that hears its gateway outranks one that does not, whichever tunnel it serves.
    const avs1 = planPairEnd(primary, "avs")!;
    const avs2 = planPairEnd(standby, "avs")!;
    expect(avs2.priority + avs2.hearingBonus).toBeGreaterThan(avs1.priority);
    expect(avs1.priority + avs1.hearingBonus).toBeGreaterThan(avs2.priority + avs2.hearingBonus);
    expect(describePairRole(standby)).toBe("standby of an active/standby pair with tunnel primary (#1): carries the traffic only when the primary cannot");
  });

  it("keeps every VLAN's link-local block inside 169.254.1.0–169.254.254.255 and apart from every other VLAN's", () => {
    const seen = new Set<string>();
    for (const vlan of [1, 2, 110, 4093, 4094]) {
      for (const side of ["source", "avs"] as const) {
        const block = pairAddresses(vlan, side);
        for (const address of [block.member(1), block.member(2), block.virtual]) {
          const [a, b, c] = address.split(".").map(Number);
          expect([a, b]).toEqual([169, 254]);
          expect(c).toBeGreaterThanOrEqual(1);
          expect(c).toBeLessThanOrEqual(254);
          expect(seen.has(address)).toBe(false);
          seen.add(address);
        }
      }
    }
    expect(pairAddresses(110, "source")).toMatchObject({ virtual: "169.254.4.115", network: "169.254.4.112" });
  });

  it("sweeps from a locally administered MAC of its own per end, over IPv4 subnets small enough", () => {
    expect(sweepMac(110, "source", 1)).toBe("02:62:68:11:00:6e");
    expect(sweepMac(4094, "avs", 2)).toBe("02:62:68:22:0f:fe");
    expect(planPairEnd(primary, "source")!.sweep).toEqual({ mac: "02:62:68:11:00:6e", subnet: "192.168.10.0/24", skipped: null });
    const ipv6 = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tenant.subnet = "2001:db8:50::/64"));
    expect(planPairEnd(ipv6, "avs")!.sweep).toMatchObject({ subnet: null, skipped: expect.stringContaining("IPv6") });
    const wide = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tenant.subnet = "10.40.0.0/21"));
    expect(planPairEnd(wide, "avs")!.sweep.skipped).toContain(`2046 addresses, more than the ${SWEEP_MAX_ADDRESSES}`);
    const fits = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tenant.subnet = "10.40.0.0/22"));
    expect(planPairEnd(fits, "avs")!.sweep.subnet).toBe("10.40.0.0/22");
  });

  it("refuses a partner that is this tunnel, or that shares its gateway or its edge bridge", () => {
    expect(() => variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.pair!.partner.ordinal = 1))).toThrow(/pair\.partner\.ordinal: The partner is the tenant's other tunnel/);
    expect(() => variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.pair!.partner.sourceUnderlayIp = "198.51.100.10"))).toThrow(/need two source gateways/);
    expect(() => variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.pair!.partner.avsUnderlayIp = "10.120.8.10"))).toThrow(/need two AVS edge bridges/);
    expect(() => variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.pair!.holdDownSeconds = 2))).toThrow(/holdDownSeconds/);
    expect(() => variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.pair!.partner.sourceHostname = "gw2;reboot"))).toThrow(/sourceHostname/);
  });
});
