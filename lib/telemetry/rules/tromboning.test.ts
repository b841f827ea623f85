import { describe, expect, it } from "vitest";
import { healthyBoth, makeInput, TENANT_ID } from "@/tests/support/rule-timeline";
import { tromboningRule } from "./tromboning";

describe("tromboning", () => {
  it("warns when the gateway stayed at the source after most workloads moved to AVS, with the cost", () => {
    const [c] = tromboningRule(makeInput({ ...healthyBoth(30), workloadsMostlyIn: "avs" }));
    expect(c).toMatchObject({
      kind: "tromboning",
      severity: "warning",
      tunnelId: null,
      dedupeKey: `tromboning:tenant:${TENANT_ID}`,
      details: { gatewayLocation: "source", workloadsMostlyIn: "avs" },
    });
    expect(c!.message).toMatch(/^The default gateway for 10\.20\.0\.0\/24 is at the source site, but most of the segment's workloads are in AVS\./);
    expect(c!.message).toMatch(/about 1\d(\.\d)? ms \(the tunnel's round trip\) added/);
    expect(c!.message).toContain("move the default gateway to the NSX-T Tier-1");
  });

  it("warns the other way round too, with the other advice", () => {
    const [c] = tromboningRule(makeInput({ ...healthyBoth(30), tenant: { gatewayLocation: "avs" }, workloadsMostlyIn: "source" }));
    expect(c!.message).toContain("is in AVS, but most of the segment's workloads are at the source site");
    expect(c!.message).toContain("move the gateway back to the source");
  });

  it("falls back to the baseline RTT when no sample is recent", () => {
    const [c] = tromboningRule(makeInput({ workloadsMostlyIn: "avs", baselineRttMs: 9 }));
    expect(c!.details).toMatchObject({ tunnelRttMs: 9 });
  });

  it("stays quiet when the gateway is with the workloads, or when the job cannot tell where they are", () => {
    expect(tromboningRule(makeInput({ ...healthyBoth(30), workloadsMostlyIn: "source" }))).toEqual([]);
    expect(tromboningRule(makeInput({ ...healthyBoth(30), workloadsMostlyIn: "unknown" }))).toEqual([]);
    expect(tromboningRule(makeInput({ ...healthyBoth(30), tenant: { gatewayLocation: "avs" }, workloadsMostlyIn: "avs" }))).toEqual([]);
  });
});
