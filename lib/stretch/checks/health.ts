/**
 * Are the tunnels fit for a change: both ends of every tunnel reporting and healthy, and no
 * critical warning open on them.
 */
import { TUNNEL_STATUS, WARNING_SEVERITY } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import { describeAge, isFresh, plural } from "./evidence";
import type { CheckResult, StretchEvidence } from "./types";

/**
 * Both ends of every tunnel report (within the evaluation's stale limit) and every tunnel is
 * operational. A silent end or a tunnel down fails: the console would be judging the stretch by
 * old news. Degraded or in maintenance warns.
 */
export function endsReportingCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "ends-reporting" as const, title: "Both ends healthy and reporting" };
  if (evidence.tunnels.length === 0) {
    return { ...base, outcome: "warn", summary: "The tenant has no tunnel, so no agent reports on the stretch: nothing here can be judged from telemetry.", evidence: [] };
  }
  const lines: string[] = [];
  const silent: string[] = [];
  const unhealthy: string[] = [];
  const shaky: string[] = [];
  for (const tunnel of evidence.tunnels) {
    const parts = (["source", "avs"] as const).map((side) => {
      const end = tunnel.ends[side];
      const what = side === "avs" ? "AVS edge bridge" : "source gateway";
      if (!end) {
        silent.push(`${tunnel.name}'s ${what} (not configured)`);
        return `${what}: not configured`;
      }
      if (!isFresh(end.lastSampleAt, evidence)) silent.push(`${tunnel.name}'s ${what} ${end.hostname}`);
      return `${what} ${end.hostname} reported ${describeAge(end.lastSampleAt, evidence.now)}`;
    });
    const status = TUNNEL_STATUS[tunnel.status];
    lines.push(`${tunnel.name}: ${status.label.toLowerCase()}; ${parts.join("; ")}.`);
    if (tunnel.status === "down" || tunnel.status === "stale") unhealthy.push(`${tunnel.name} is ${status.label.toLowerCase()}`);
    else if (tunnel.status === "degraded" || tunnel.status === "maintenance") shaky.push(`${tunnel.name} is ${status.label.toLowerCase()}`);
  }
  if (silent.length > 0 || unhealthy.length > 0) {
    const why = [...(silent.length ? [`silent: ${silent.join(", ")}`] : []), ...unhealthy].join("; ");
    return { ...base, outcome: "fail", summary: `Not every end is reporting and healthy (${why}), so the evidence below may be out of date.`, evidence: lines };
  }
  if (shaky.length > 0) {
    return { ...base, outcome: "warn", summary: `Every end reports, but ${shaky.join(" and ")}.`, evidence: lines };
  }
  return { ...base, outcome: "pass", summary: `All ${plural(evidence.tunnels.length * 2, "end")} report and every tunnel is operational.`, evidence: lines };
}

/**
 * No critical warning open (or acknowledged) on the tunnels. The stretch's own "past cut-over"
 * warning does not count: being late is a reason to go ahead, not to wait.
 */
export function criticalWarningsCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "critical-warnings" as const, title: "No open critical warning on the tunnels" };
  const active = evidence.warnings.filter((w) => w.kind !== "stretch-past-cutover");
  const critical = active.filter((w) => w.severity === "critical");
  const tunnelName = (id: string | null) => evidence.tunnels.find((t) => t.id === id)?.name ?? "the tenant";
  if (critical.length > 0) {
    return {
      ...base,
      outcome: "fail",
      summary: `${plural(critical.length, "critical warning")} ${critical.length === 1 ? "is" : "are"} open: fix ${critical.length === 1 ? "it" : "them"} first, or the change lands on a broken stretch.`,
      evidence: critical.map((w) => `${WARNING_SEVERITY.critical.label} · ${warningKindLabel(w.kind)} on ${tunnelName(w.tunnelId)}, ${w.state} since ${w.openedAt.toISOString().slice(0, 16).replace("T", " ")} UTC: ${w.message}`),
    };
  }
  const others = active.length;
  return {
    ...base,
    outcome: "pass",
    summary: others === 0 ? "No warning is open on the tunnels." : `No critical warning; ${plural(others, "lesser warning")} open.`,
    evidence: active.map((w) => `${WARNING_SEVERITY[w.severity].label} · ${warningKindLabel(w.kind)} on ${tunnelName(w.tunnelId)}`),
  };
}
