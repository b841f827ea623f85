import { describe, expect, it } from "vitest";
import { singlePointOfFailureRule } from "./single-point-of-failure";
import { makeInput, TENANT_ID } from "@/tests/support/rule-timeline";

describe("single point of failure", () => {
  it("notes a tenant with one tunnel as info, once per tenant", () => {
    const [c, ...rest] = singlePointOfFailureRule(makeInput({ redundancy: { tunnelCount: 1 } }));
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ kind: "single-point-of-failure", severity: "info", tunnelId: null, dedupeKey: `single-point-of-failure:tenant:${TENANT_ID}` });
    expect(c!.message).toMatch(/^contoso-prod has one tunnel/);
  });

  it("warns when two tunnels only look redundant: same gateway host, same underlay exit, or both", () => {
    const [host] = singlePointOfFailureRule(makeInput({ redundancy: { sharedGatewayHost: "gw01.contoso.example" } }));
    expect(host).toMatchObject({ severity: "warning", details: { tunnelCount: 2, sharedGatewayHost: "gw01.contoso.example", sharedUnderlayFirstHop: null } });
    expect(host!.message).toContain("run on the same gateway host gw01.contoso.example");
    const [both] = singlePointOfFailureRule(makeInput({ redundancy: { sharedGatewayHost: "gw01.contoso.example", sharedUnderlayFirstHop: "192.0.2.1" } }));
    expect(both!.message).toContain("run on the same gateway host gw01.contoso.example and leave through the same underlay next hop 192.0.2.1");
  });

  it("stays quiet for two tunnels on separate hosts and paths", () => {
    expect(singlePointOfFailureRule(makeInput())).toEqual([]);
  });
});
