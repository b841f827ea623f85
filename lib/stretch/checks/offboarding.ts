/**
 * Before offboarding (which deletes the segment and frees the VLAN): no tunnel still bridging
 * into it, no traffic through the tunnels lately. Whether workloads sit on the segment is
 * segmentWorkloadsCheck (workloads.ts).
 */
import { allEnds, endLabel, plural } from "./evidence";
import type { CheckResult, StretchEvidence } from "./types";

/** How far back "traffic seen lately" looks, and how much counts as traffic. */
export const RECENT_TRAFFIC = {
  windowMinutes: 15,
  /**
   * More than this through a tunnel device in the window is the tenant's traffic: a pair's own
   * VRRP advertisements cross the tunnel at about 5 × 60 B/s (≈ 270 kB in 15 minutes), and a
   * single tunnel carries nothing of the console's at all.
   */
  bytes: 1_000_000,
} as const;

export function tunnelsAttachedCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "tunnels-attached" as const, title: "No tunnel still attached" };
  if (evidence.tunnels.length === 0) {
    return { ...base, outcome: "pass", summary: evidence.tenant.stage === "unextended" ? "The stretch was unextended: no tunnel is left." : "The tenant has no tunnel.", evidence: [] };
  }
  const names = evidence.tunnels.map((t) => t.name);
  return {
    ...base,
    outcome: "fail",
    summary: `${plural(names.length, "tunnel")} (${names.join(", ")}) still bridge${names.length === 1 ? "s" : ""} the VLAN into the segment: unextend first, or the gateways keep bridging into a segment that is about to go.`,
    evidence: evidence.tunnels.flatMap((t) => (["source", "avs"] as const).flatMap((side) => (t.ends[side] ? [`${t.name}: ${side === "avs" ? "AVS edge bridge" : "source gateway"} ${t.ends[side]!.hostname}.`] : []))),
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes >= 10_000_000 ? 0 : 1)} MB`;
}

/** The tunnel devices' counters over the last 15 minutes: a stretch still moving data is in use. */
export function recentTrafficCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "recent-traffic" as const, title: `No traffic in the last ${RECENT_TRAFFIC.windowMinutes} minutes` };
  const ends = allEnds(evidence);
  if (ends.length === 0) return { ...base, outcome: "pass", summary: "No tunnel, so no traffic through one.", evidence: [] };
  const measured = ends.filter(({ end }) => end.traffic !== null);
  const lines = ends.map((of) =>
    of.end.traffic ? `${endLabel(of)}: ${megabytes(of.end.traffic.bytes)} in ${Math.round(of.end.traffic.seconds / 60)} min.` : `${endLabel(of)}: no counter readings in the window.`,
  );
  const busy = measured.filter(({ end }) => end.traffic!.bytes > RECENT_TRAFFIC.bytes);
  if (busy.length > 0) {
    return {
      ...base,
      outcome: "fail",
      summary: `The tunnels still carry traffic (${busy.map((of) => `${endLabel(of)} ${megabytes(of.end.traffic!.bytes)}`).join("; ")}): someone is using the stretch.`,
      evidence: lines,
    };
  }
  if (measured.length === 0) {
    return { ...base, outcome: "warn", summary: `No end reported tunnel counters in the last ${RECENT_TRAFFIC.windowMinutes} minutes: whether the stretch is in use is unknown.`, evidence: lines };
  }
  return { ...base, outcome: "pass", summary: `Under ${megabytes(RECENT_TRAFFIC.bytes)} through every tunnel in ${RECENT_TRAFFIC.windowMinutes} minutes.`, evidence: lines };
}
