import { describe, expect, it } from "vitest";
import { gate, runChecklist, worstOutcome } from "./checklists";
import { recentTrafficCheck, tunnelsAttachedCheck } from "./offboarding";
import { contosoEvidence, kvmMacs, macReport, vmwareMacs, withEnds } from "@/tests/support/stretch-evidence";

describe("no tunnel still attached", () => {
  it("fails while tunnels bridge into the segment, naming them, and passes once unextended", () => {
    expect(tunnelsAttachedCheck(contosoEvidence())).toMatchObject({ outcome: "fail", summary: expect.stringMatching(/^2 tunnels \(primary, standby\) still bridge the VLAN/) });
    const unextended = contosoEvidence({ tunnels: [], tenant: { slug: "contoso", subnet: "192.168.10.0/24", stage: "unextended", gatewayLocation: "avs" } });
    expect(tunnelsAttachedCheck(unextended)).toMatchObject({ outcome: "pass", summary: "The stretch was unextended: no tunnel is left." });
  });
});

describe("no traffic in the last 15 minutes", () => {
  it("passes on a pair's own VRRP chatter (a few hundred kB) and fails on real traffic", () => {
    const quiet = withEnds(contosoEvidence(), (e) => ({ ...e, traffic: { bytes: 270_000, seconds: 900 } }));
    expect(recentTrafficCheck(quiet).outcome).toBe("pass");
    const busy = withEnds(contosoEvidence(), (e) => (e.hostname === "contoso-bridge1" ? { ...e, traffic: { bytes: 84_000_000, seconds: 870 } } : e));
    const result = recentTrafficCheck(busy);
    expect(result).toMatchObject({ outcome: "fail", summary: expect.stringContaining("primary: AVS edge bridge contoso-bridge1 84 MB") });
    expect(result.evidence).toContain("primary: AVS edge bridge contoso-bridge1: 84 MB in 15 min.");
  });

  it("warns when no end has two counter readings in the window", () => {
    const silent = withEnds(contosoEvidence(), (e) => ({ ...e, traffic: null }));
    expect(recentTrafficCheck(silent).outcome).toBe("warn");
  });
});

describe("the gate", () => {
  it("lets a step through when every check passes, and records nothing overridden", () => {
    const evidence = withEnds(contosoEvidence({ tunnels: [] }), (e) => e);
    const results = runChecklist("offboard", { ...evidence, segment: { ...evidence.segment!, portVifs: [] } });
    expect(worstOutcome(results)).toBe("pass");
    expect(gate(results, undefined, "offboarding")).toEqual({ ok: true, overridden: [] });
  });

  it("refuses a warn or fail without a reason, naming each check, and lets it through with one", () => {
    // Two stragglers at the source, and the source router still answering for the gateway address.
    const evidence = withEnds(contosoEvidence(), (e) =>
      e.side === "source" ? { ...e, macReport: macReport(kvmMacs(2), vmwareMacs(14), e.macReport!.gatewayProbe) } : e,
    );
    const results = runChecklist("cut-over", evidence);
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ["ends-reporting", "pass"],
      ["critical-warnings", "pass"],
      ["workload-placement", "pass"],
      ["gateway-address", "warn"],
      ["tier1-exists", "pass"],
      ["tier1-overlap", "pass"],
    ]);
    const refused = gate(results, undefined, "cut-over");
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/^Not every pre-check passes for the cut-over\. Planned gateway address free \(warn\)/) });
    const allowed = gate(results, "Source router interface shut by change CHG-1042", "cut-over");
    expect(allowed).toMatchObject({ ok: true, overridden: [expect.objectContaining({ id: "gateway-address" })] });
  });
});
