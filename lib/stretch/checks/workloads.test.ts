import { describe, expect, it } from "vitest";
import { locateWorkloads } from "./evidence";
import { ago, contosoEvidence, end, kvmMacs, macReport, SOURCE_ROUTER_MAC, SWEEP_MAC, vmwareMacs, withEnds } from "@/tests/support/stretch-evidence";
import { noWorkloadsLeftCheck, segmentWorkloadsCheck, tromboningClearedCheck, workloadPlacementCheck } from "./workloads";

describe("where the workloads are", () => {
  it("counts distinct workloads per side over both tunnels of the pair, leaving out the pair's sweep MACs", () => {
    const map = locateWorkloads(contosoEvidence());
    expect(map.avs).toHaveLength(14);
    expect(map.source).toEqual([SOURCE_ROUTER_MAC, ...kvmMacs(2)]);
    expect(map.source).not.toContain(SWEEP_MAC);
    expect(map.reported).toEqual({ source: true, avs: true });
  });

  it("says '14 workloads already in AVS, 2 still at the source: …' with the stragglers' MACs", () => {
    const evidence = withEnds(contosoEvidence(), (e) =>
      e.side === "source" ? { ...e, macReport: macReport(kvmMacs(2), vmwareMacs(14)) } : e,
    );
    const result = workloadPlacementCheck(evidence);
    expect(result).toMatchObject({ outcome: "pass", summary: "14 workloads already in AVS, 2 still at the source: 52:54:00:3c:00:01, 52:54:00:3c:00:02." });
    expect(result.evidence[0]).toMatch(/^In AVS \(learned on the segment\): 14: 00:50:56:a1:00:01, .* and 9 more\.$/);
  });

  it("warns when most workloads are still at the source: the cut-over would trombone their traffic the other way", () => {
    const evidence = withEnds(contosoEvidence(), (e) =>
      e.side === "source" ? { ...e, macReport: macReport(kvmMacs(12), vmwareMacs(3)) } : { ...e, macReport: macReport(vmwareMacs(3), kvmMacs(12)) },
    );
    expect(workloadPlacementCheck(evidence)).toMatchObject({ outcome: "warn", summary: expect.stringContaining("Most workloads are still at the source (12, against 3 in AVS)") });
  });

  it("does not use MAC lists older than the stale limit, and says which ones it left out", () => {
    const evidence = withEnds(contosoEvidence(), (e) => (e.side === "avs" ? { ...e, macReportedAt: ago(600) } : e));
    const result = workloadPlacementCheck(evidence);
    expect(result.outcome).toBe("warn");
    expect(result.summary).toContain("No fresh MAC lists from the AVS side");
    expect(result.evidence).toContain("Not used, too old: primary AVS end contoso-bridge1 (MACs reported 10 min ago).");
  });

  it("warns when agents older than the lists report only counts", () => {
    const evidence = withEnds(contosoEvidence(), (e) => ({ ...e, macReport: null }));
    expect(workloadPlacementCheck(evidence)).toMatchObject({ outcome: "warn", summary: expect.stringContaining("Deploy the current agent") });
  });

  it("lists a MAC learned locally on both sides (a VM mid-move, or a loop) apart", () => {
    const moving = "00:50:56:a1:00:99";
    const evidence = withEnds(contosoEvidence(), (e) => ({ ...e, macReport: macReport([...e.macReport!.local, moving], e.macReport!.tunnel) }));
    const map = locateWorkloads(evidence);
    expect(map.both).toEqual([moving]);
    expect(map.avs).not.toContain(moving);
    expect(workloadPlacementCheck(evidence).evidence).toContain(`On both sides at once (moving now, or a loop): ${moving}.`);
  });
});

describe("no workload left at the source (unextend)", () => {
  it("fails while workloads are still learned at the source, naming them", () => {
    const result = noWorkloadsLeftCheck(contosoEvidence());
    expect(result).toMatchObject({ outcome: "fail", summary: `3 workloads still at the source (${SOURCE_ROUTER_MAC}, 52:54:00:3c:00:01, 52:54:00:3c:00:02) would lose the segment when the tunnels go.` });
  });

  it("passes once the source LAN has only the gateways' own sweep MAC left", () => {
    const evidence = withEnds(contosoEvidence(), (e) => (e.side === "source" ? { ...e, macReport: macReport([SWEEP_MAC], vmwareMacs(16)) } : { ...e, macReport: macReport(vmwareMacs(16), []) }));
    expect(noWorkloadsLeftCheck(evidence)).toMatchObject({ outcome: "pass", summary: "Every workload is in AVS (16); the source side has none left." });
  });

  it("warns when no source gateway reports lists", () => {
    const evidence = withEnds(contosoEvidence(), (e) => (e.side === "source" ? { ...e, macReport: null } : e));
    expect(noWorkloadsLeftCheck(evidence).outcome).toBe("warn");
  });
});

describe("tromboning cleared (the re-check after the cut-over)", () => {
  const cutOver = (overrides = {}) => contosoEvidence({ tenant: { slug: "contoso", subnet: "192.168.10.0/24", stage: "cut-over", gatewayLocation: "avs" }, ...overrides });

  it("passes once the gateway and most workloads are in AVS, though the warning is still open (it resolves after 10 minutes clear)", () => {
    const warning = { kind: "tromboning", severity: "warning" as const, state: "open" as const, tunnelId: null, message: "…", openedAt: ago(3600) };
    const result = tromboningClearedCheck(cutOver({ warnings: [warning] }));
    expect(result).toMatchObject({ outcome: "pass" });
    expect(result.evidence).toContain("Workloads by learned MACs: 14 in AVS, 3 at the source.");
    expect(result.evidence[2]).toMatch(/^The tromboning warning is open since .* it resolves once the condition has stayed clear for 10 minutes\.$/);
  });

  it("fails while the gateway is still at the source", () => {
    expect(tromboningClearedCheck(contosoEvidence())).toMatchObject({ outcome: "fail", summary: "The default gateway is still at the source site." });
  });

  it("fails when most workloads stayed at the source: the cut-over moved the trombone, it did not end it", () => {
    const evidence = withEnds(cutOver(), (e) => (e.side === "source" ? { ...e, macReport: macReport(kvmMacs(10), vmwareMacs(2)) } : { ...e, macReport: macReport(vmwareMacs(2), kvmMacs(10)) }));
    expect(tromboningClearedCheck(evidence).outcome).toBe("fail");
  });

  it("falls back to the agents' learned-MAC counts when they send no lists", () => {
    const evidence = withEnds(cutOver(), (e) => ({ ...e, macReport: null, learnedMacs: e.side === "avs" ? 20 : 1 }));
    expect(tromboningClearedCheck(evidence)).toMatchObject({ outcome: "pass" });
    expect(tromboningClearedCheck(evidence).evidence).toContain("Workloads by learned MACs: 20 in AVS, 1 at the source.");
  });
});

describe("segment no longer carrying workloads (offboarding)", () => {
  const unextended = { tenant: { slug: "contoso", subnet: "192.168.10.0/24", stage: "unextended" as const, gatewayLocation: "avs" as const }, tunnels: [] };

  it("fails when Azure lists VM ports on the segment, though no tunnel is left to report", () => {
    const evidence = contosoEvidence({ ...unextended, segment: { state: "ready", gatewayAddress: "192.168.10.1/24", tier1GatewayId: "TNT42-T1", portVifs: ["app-01", "db-01"], checkedAt: ago(200) } });
    expect(segmentWorkloadsCheck(evidence)).toMatchObject({ outcome: "fail", summary: "The segment still carries 2 workloads: deleting it cuts them off." });
    expect(segmentWorkloadsCheck(evidence).evidence[0]).toBe("Azure lists 2 VM ports on the segment: app-01, db-01 (read 3 min ago).");
  });

  it("fails when an AVS edge bridge still learns workload MACs on the segment", () => {
    expect(segmentWorkloadsCheck(contosoEvidence()).outcome).toBe("fail");
  });

  it("passes with no port and no MAC, and warns when nothing was ever read", () => {
    expect(segmentWorkloadsCheck(contosoEvidence({ ...unextended }))).toMatchObject({ outcome: "pass" });
    const unread = contosoEvidence({ ...unextended, segment: { state: "ready", gatewayAddress: null, tier1GatewayId: null, portVifs: null, checkedAt: null } });
    expect(segmentWorkloadsCheck(unread).outcome).toBe("warn");
  });

  it("an AVS end with an empty list counts as seeing nothing on the segment", () => {
    const evidence = contosoEvidence({ tunnels: [{ id: "t1", name: "primary", ordinal: 1, status: "operational", ends: { avs: end("avs", "b1", { macReport: macReport([], []) }) } }] });
    expect(segmentWorkloadsCheck(evidence).outcome).toBe("pass");
  });
});
