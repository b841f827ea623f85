import { describe, expect, it } from "vitest";
import { STRETCH_STAGES } from "./status";
import { canMove, firstHostGateway, gatewayLocationOf, initialStage, parseGatewayAddress, STRETCH_MOVES, tier1IdOf, tier1Path } from "./stretch";

describe("the stretch's stages", () => {
  it("goes forward extending → planned → cutting over → cut over → unextended, and back at each step before the last", () => {
    expect(canMove("extending", "plan")).toBe(true);
    expect(canMove("cutover-planned", "cancel-plan")).toBe(true);
    expect(canMove("cutover-planned", "cut-over")).toBe(true);
    expect(canMove("cutting-over", "cut-over-done")).toBe(true);
    expect(canMove("cut-over", "roll-back")).toBe(true);
    expect(canMove("rolling-back", "roll-back-done")).toBe(true);
    expect(canMove("cut-over", "unextend")).toBe(true);
    // Nothing leaves "unextended": no tunnels are left to go back to.
    for (const move of Object.keys(STRETCH_MOVES) as (keyof typeof STRETCH_MOVES)[]) expect(canMove("unextended", move)).toBe(false);
  });

  it("refuses skipping a step: no cut-over without a plan, no unextend before the cut-over", () => {
    expect(canMove("extending", "cut-over")).toBe(false);
    expect(canMove("cutover-planned", "unextend")).toBe(false);
    expect(canMove("cutting-over", "cut-over")).toBe(false);
  });

  it("every move lands on a stage of the vocabulary", () => {
    for (const move of Object.values(STRETCH_MOVES)) {
      expect(STRETCH_STAGES).toContain(move.to);
      for (const from of move.from) expect(STRETCH_STAGES).toContain(from);
    }
  });

  it("puts the gateway in AVS from the cut-over on, until a rollback finishes", () => {
    expect(STRETCH_STAGES.map((stage) => [stage, gatewayLocationOf(stage)])).toEqual([
      ["extending", "source"],
      ["cutover-planned", "source"],
      ["cutting-over", "source"],
      ["cut-over", "avs"],
      ["rolling-back", "avs"],
      ["unextended", "avs"],
    ]);
    expect(initialStage("avs")).toBe("cut-over");
    expect(initialStage("source")).toBe("extending");
  });
});

describe("NSX-T names", () => {
  it("writes a Tier-1 as its policy path, as the AVS examples do, and reads either spelling back", () => {
    expect(tier1Path("TNT42-T1")).toBe("/infra/tier-1s/TNT42-T1");
    expect(tier1IdOf("/infra/tier-1s/TNT42-T1")).toBe("TNT42-T1");
    expect(tier1IdOf("TNT42-T1")).toBe("TNT42-T1");
    expect(tier1IdOf(undefined)).toBeNull();
  });

  it("gives the subnet's first host with its prefix", () => {
    expect(firstHostGateway("192.168.10.0/24")).toBe("192.168.10.1/24");
    expect(firstHostGateway("2001:db8:5::/64")).toBe("2001:db8:5::1/64");
  });
});

describe("the planned gateway address", () => {
  it("takes a host of the subnet and adds the prefix", () => {
    expect(parseGatewayAddress(" 192.168.10.254 ", "192.168.10.0/24")).toEqual({ ok: true, gatewayAddress: "192.168.10.254/24", host: "192.168.10.254" });
    expect(parseGatewayAddress("2001:db8:5::1", "2001:db8:5::/64")).toMatchObject({ ok: true, gatewayAddress: "2001:db8:5::1/64" });
  });

  it.each([
    ["192.168.11.1", "outside the tenant's subnet"],
    ["192.168.10.0", "network address"],
    ["192.168.10.255", "broadcast address"],
    ["192.168.10.1/24", "address alone"],
    ["2001:db8:5::1", "is IPv6"],
    ["192.168.010.1", "IPv4 or IPv6 address"],
    ["10.0.0.1\nip link del eth0", "IPv4 or IPv6 address"],
    ["fe80::1%eth0", "IPv4 or IPv6 address"],
  ])("refuses %j (%s)", (text, why) => {
    const result = parseGatewayAddress(text, "192.168.10.0/24");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(why);
  });
});
