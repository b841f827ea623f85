import { describe, expect, it } from "vitest";
import { daysSince, parseIsoDate, stretchPastCutoverRule } from "./stretch-past-cutover";
import { makeInput, TENANT_ID } from "@/tests/support/rule-timeline";

const at = (iso: string, plannedCutoverOn: string | null, overrides = {}) =>
  stretchPastCutoverRule(makeInput({ now: new Date(iso), tenant: { plannedCutoverOn }, overrides }));

describe("stretch past its planned cut-over", () => {
  it("says nothing without a plan, before it, or on the day itself (up to 23:59 UTC)", () => {
    expect(at("2026-03-10T12:00:00Z", null)).toEqual([]);
    expect(at("2026-03-10T12:00:00Z", "2026-04-01")).toEqual([]);
    expect(at("2026-03-10T23:59:59Z", "2026-03-10")).toEqual([]);
  });

  it("is info from the day after, a warning from 7 days, critical from 30", () => {
    expect(at("2026-03-11T00:00:01Z", "2026-03-10")[0]).toMatchObject({ severity: "info", details: { daysPast: 1 } });
    expect(at("2026-03-16T12:00:00Z", "2026-03-10")[0]?.severity).toBe("info");
    expect(at("2026-03-17T12:00:00Z", "2026-03-10")[0]).toMatchObject({ severity: "warning", details: { daysPast: 7 } });
    expect(at("2026-04-09T12:00:00Z", "2026-03-10")[0]?.severity).toBe("critical");
  });

  it("explains what the delay costs and what to do, with the dates", () => {
    const [c] = at("2026-03-22T08:00:00Z", "2026-03-10");
    expect(c).toMatchObject({ kind: "stretch-past-cutover", tunnelId: null, dedupeKey: `stretch-past-cutover:tenant:${TENANT_ID}` });
    expect(c!.message).toBe(
      "The stretch of 10.20.0.0/24 has run 12 days past its planned cut-over on 2026-03-10 (it began on 2026-01-05, 76 days ago). " +
        "A stretched network keeps both sites in one failure domain and routes traffic across the tunnel; finish moving the " +
        "workloads and the default gateway to AVS and offboard the stretch, or agree a new cut-over date and record it.",
    );
  });

  it("follows a tenant's own escalation days", () => {
    expect(at("2026-03-13T12:00:00Z", "2026-03-10", { cutoverWarningDays: 2, cutoverCriticalDays: 3 })[0]?.severity).toBe("critical");
  });

  it("refuses a malformed date rather than reading it as 'no plan'", () => {
    expect(() => at("2026-03-13T12:00:00Z", "2026-02-30")).toThrow('The planned cut-over date must be a calendar date written YYYY-MM-DD, not "2026-02-30".');
    expect(() => parseIsoDate("10/03/2026", "The date")).toThrow(RangeError);
    expect(daysSince("2024-02-28", new Date("2024-03-01T00:00:00Z"), "x")).toBe(2);
  });
});
