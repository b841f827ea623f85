import { describe, expect, it } from "vitest";
import { gatewayAddressCheck, tier1ExistsCheck, tier1OverlapCheck } from "./gateway";
import { ago, contosoEvidence, macReport, SOURCE_ROUTER_MAC, vmwareMacs, withEnds } from "@/tests/support/stretch-evidence";

const probeAnswers = (answers: { source: string[]; avs: string[] }, address = "192.168.10.1") =>
  withEnds(contosoEvidence(), (e) => ({ ...e, macReport: { ...e.macReport!, gatewayProbe: { address, answeredBy: answers[e.side] } } }));

describe("planned gateway address free", () => {
  it("warns while the source site's router still answers for it: it must let go first", () => {
    const result = gatewayAddressCheck(contosoEvidence());
    expect(result.outcome).toBe("warn");
    expect(result.summary).toBe(
      `${SOURCE_ROUTER_MAC} at the source site still answers for 192.168.10.1: the current gateway. Apply the cut-over file there first, or it and the Tier-1 will both answer for one address.`,
    );
    expect(result.evidence).toContain(`primary: source gateway contoso-gw1 probed 12 s ago: answered by ${SOURCE_ROUTER_MAC}.`);
    expect(result.evidence).toContain("standby: AVS edge bridge contoso-bridge2 probed 12 s ago: no answer.");
  });

  it("passes when nobody answers on either side", () => {
    expect(gatewayAddressCheck(probeAnswers({ source: [], avs: [] }))).toMatchObject({ outcome: "pass", summary: "Nobody answers for 192.168.10.1 on either side: it is free for the Tier-1." });
  });

  it("fails when a workload already in AVS holds the address", () => {
    const vm = vmwareMacs(1)[0]!;
    expect(gatewayAddressCheck(probeAnswers({ source: [], avs: [vm] }))).toMatchObject({
      outcome: "fail",
      summary: `192.168.10.1 is in use by ${vm} on the AVS side, a workload already in AVS: the Tier-1 cannot take it.`,
    });
  });

  it("fails when two hosts answer (a duplicate address)", () => {
    const result = gatewayAddressCheck(probeAnswers({ source: [SOURCE_ROUTER_MAC, "52:54:00:3c:00:09"], avs: [] }));
    expect(result).toMatchObject({ outcome: "fail", summary: expect.stringMatching(/^2 hosts answer for 192\.168\.10\.1/) });
  });

  it("warns when the agents probe another address than the plan's (their settings predate it), or probes are old", () => {
    const other = gatewayAddressCheck(probeAnswers({ source: [], avs: [] }, "192.168.10.254"));
    expect(other).toMatchObject({ outcome: "warn", summary: expect.stringContaining("they probe 192.168.10.254: download the agents' settings again") });
    const old = withEnds(contosoEvidence(), (e) => ({ ...e, macReportedAt: ago(3600) }));
    expect(gatewayAddressCheck(old)).toMatchObject({ outcome: "warn", summary: expect.stringMatching(/^No agent has recently probed 192\.168\.10\.1/) });
  });

  it("fails a planned address outside the subnet or on its broadcast address, whatever the probes say", () => {
    expect(gatewayAddressCheck(contosoEvidence({ plan: { gatewayAddress: "192.168.11.1/24", tier1Id: "TNT42-T1" } }))).toMatchObject({
      outcome: "fail",
      summary: expect.stringContaining("outside the tenant's subnet 192.168.10.0/24"),
    });
    expect(gatewayAddressCheck(contosoEvidence({ plan: { gatewayAddress: "192.168.10.255/24", tier1Id: "TNT42-T1" } })).summary).toContain("broadcast");
  });

  it("cannot probe IPv6 (no ARP) and says so", () => {
    const v6 = contosoEvidence({
      tenant: { slug: "contoso", subnet: "2001:db8:10::/64", stage: "cutover-planned", gatewayLocation: "source" },
      plan: { gatewayAddress: "2001:db8:10::1/64", tier1Id: "TNT42-T1" },
    });
    expect(gatewayAddressCheck(v6)).toMatchObject({ outcome: "warn", summary: expect.stringContaining("IPv6, which has no ARP") });
  });

  it("fails without a plan", () => {
    expect(gatewayAddressCheck(contosoEvidence({ plan: null })).outcome).toBe("fail");
  });
});

describe("the Tier-1 exists in the private cloud", () => {
  it("passes for one of the cloud's Tier-1s as last read, and fails for another id", () => {
    expect(tier1ExistsCheck(contosoEvidence())).toMatchObject({ outcome: "pass", summary: "TNT42-T1 (TNT42-T1) is a Tier-1 gateway of avs-weu-01." });
    const gone = tier1ExistsCheck(contosoEvidence({ plan: { gatewayAddress: "192.168.10.1/24", tier1Id: "TNT99-T1" } }));
    expect(gone.outcome).toBe("fail");
    expect(gone.evidence).toEqual(["Tier-1 gateways of avs-weu-01 as read from Azure 5 min ago: TNT42-T1."]);
  });
});

describe("no overlap with what the Tier-1 routes", () => {
  it("passes on a clear address space and fails naming each overlap", () => {
    expect(tier1OverlapCheck(contosoEvidence()).outcome).toBe("pass");
    const result = tier1OverlapCheck(
      contosoEvidence({
        addressConflicts: [
          { cidr: "192.168.0.0/16", label: "Lab network (admin range)", kind: "admin" },
          { cidr: "192.168.10.0/25", label: "tenant Fabrikam Health", kind: "tenant" },
        ],
      }),
    );
    expect(result.outcome).toBe("fail");
    expect(result.evidence).toEqual(["192.168.0.0/16: Lab network (admin range).", "192.168.10.0/25: tenant Fabrikam Health."]);
  });
});

describe("the workload lists feed the gateway check", () => {
  it("a report without a probe says nothing about the address", () => {
    const evidence = withEnds(contosoEvidence(), (e) => ({ ...e, macReport: macReport(e.macReport!.local, e.macReport!.tunnel, null) }));
    expect(gatewayAddressCheck(evidence).outcome).toBe("warn");
  });
});
