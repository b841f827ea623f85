import { describe, expect, it } from "vitest";
import { criticalWarningsCheck, endsReportingCheck } from "./health";
import { ago, contosoEvidence, withEnds } from "@/tests/support/stretch-evidence";

describe("both ends healthy and reporting", () => {
  it("passes when all four ends of the pair reported within the stale limit and both tunnels are operational", () => {
    const result = endsReportingCheck(contosoEvidence());
    expect(result).toMatchObject({ outcome: "pass", summary: "All 4 ends report and every tunnel is operational." });
    expect(result.evidence[0]).toBe("primary: operational; source gateway contoso-gw1 reported 12 s ago; AVS edge bridge contoso-bridge1 reported 12 s ago.");
  });

  it("fails, naming the end, when one agent fell silent (its last report older than three intervals)", () => {
    const evidence = contosoEvidence();
    evidence.tunnels[1]!.ends.avs = { ...evidence.tunnels[1]!.ends.avs!, lastSampleAt: ago(95) };
    const result = endsReportingCheck(evidence);
    expect(result.outcome).toBe("fail");
    expect(result.summary).toContain("silent: standby's AVS edge bridge contoso-bridge2");
  });

  it("fails for an end that never reported, and for a tunnel that is down though both agents report", () => {
    const never = withEnds(contosoEvidence(), (e) => (e.hostname === "contoso-gw1" ? { ...e, lastSampleAt: null } : e));
    expect(endsReportingCheck(never)).toMatchObject({ outcome: "fail" });
    expect(endsReportingCheck(never).evidence[0]).toContain("contoso-gw1 reported never");
    const down = contosoEvidence();
    down.tunnels[0]!.status = "down";
    expect(endsReportingCheck(down)).toMatchObject({ outcome: "fail", summary: expect.stringContaining("primary is down") });
  });

  it("warns on a degraded or maintenance tunnel, and when there is no tunnel to judge at all", () => {
    const degraded = contosoEvidence();
    degraded.tunnels[1]!.status = "degraded";
    expect(endsReportingCheck(degraded)).toMatchObject({ outcome: "warn", summary: "Every end reports, but standby is degraded." });
    expect(endsReportingCheck(contosoEvidence({ tunnels: [] }))).toMatchObject({ outcome: "warn" });
  });

  it("fails a tunnel with a missing end", () => {
    const evidence = contosoEvidence();
    delete evidence.tunnels[0]!.ends.avs;
    expect(endsReportingCheck(evidence)).toMatchObject({ outcome: "fail", summary: expect.stringContaining("not configured") });
  });
});

describe("no open critical warning on the tunnels", () => {
  const warning = (kind: string, severity: "info" | "warning" | "critical", tunnelId: string | null = "t1") => ({
    kind,
    severity,
    state: "open" as const,
    tunnelId,
    message: `${kind} message`,
    openedAt: ago(600),
  });

  it("passes with lesser warnings open, and says how many", () => {
    const result = criticalWarningsCheck(contosoEvidence({ warnings: [warning("jitter", "warning"), warning("tromboning", "warning", null)] }));
    expect(result).toMatchObject({ outcome: "pass", summary: "No critical warning; 2 lesser warnings open." });
  });

  it("fails on a critical warning, acknowledged or not, and names the tunnel and kind", () => {
    const acknowledged = { ...warning("path-mtu", "critical", "t2"), state: "acknowledged" as const };
    const result = criticalWarningsCheck(contosoEvidence({ warnings: [acknowledged] }));
    expect(result.outcome).toBe("fail");
    expect(result.evidence[0]).toMatch(/^Critical · Path MTU too small on standby, acknowledged since 2026-11-21 09:50 UTC: path-mtu message$/);
  });

  it("counts the pair's tenant-wide critical warnings (both active) but not the stretch being overdue", () => {
    expect(criticalWarningsCheck(contosoEvidence({ warnings: [warning("pair-both-active", "critical", null)] })).outcome).toBe("fail");
    expect(criticalWarningsCheck(contosoEvidence({ warnings: [warning("stretch-past-cutover", "critical", null)] }))).toMatchObject({
      outcome: "pass",
      summary: "No warning is open on the tunnels.",
    });
  });
});
