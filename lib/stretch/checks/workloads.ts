/**
 * Where the workloads are, from the MAC addresses each end's bridge learned on its own ports:
 * before a cut-over (most should be in AVS, or their routed traffic trombones the other way),
 * after it (the tromboning condition gone), before the unextend (nobody left at the source) and
 * before offboarding (nobody left on the segment).
 */
import { workloadsMostlyIn } from "@/lib/telemetry/rules/workloads";
import { describeAge, learnedCount, listMacs, locateWorkloads, plural, type WorkloadMap } from "./evidence";
import type { CheckResult, StretchEvidence } from "./types";

function mapLines(map: WorkloadMap): string[] {
  return [
    `In AVS (learned on the segment): ${map.avs.length === 0 ? "none" : `${map.avs.length}: ${listMacs(map.avs)}`}.`,
    `At the source (learned on the source LAN): ${map.source.length === 0 ? "none" : `${map.source.length}: ${listMacs(map.source)}`}.`,
    ...(map.both.length > 0 ? [`On both sides at once (moving now, or a loop): ${listMacs(map.both)}.`] : []),
    ...(map.truncated ? ["A bridge learned more MACs than an agent lists (1,024 per side): the lists above are a sample."] : []),
    ...map.staleEnds.map((end) => `Not used, too old: ${end}.`),
  ];
}

/** Who has not reported lists, in words; null when both sides have. */
function missingSides(map: WorkloadMap): string | null {
  const missing = (["source", "avs"] as const).filter((side) => !map.reported[side]).map((side) => (side === "avs" ? "the AVS side" : "the source side"));
  return missing.length === 0 ? null : missing.join(" and ");
}

/**
 * Cut-over: the gateway moves to AVS, so the workloads should mostly be there already. Passes when
 * at least as many are in AVS as at the source ("14 workloads already in AVS, 2 still at the
 * source: aa:bb:…"); the stragglers keep working through the tunnel, at the cost of tromboning.
 */
export function workloadPlacementCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "workload-placement" as const, title: "Where the workloads are" };
  const map = locateWorkloads(evidence);
  const missing = missingSides(map);
  if (missing) {
    return {
      ...base,
      outcome: "warn",
      summary: `No fresh MAC lists from ${missing}: the console cannot tell where the workloads are. Deploy the current agent on every end.`,
      evidence: mapLines(map),
    };
  }
  const inAvs = map.avs.length;
  const atSource = map.source.length;
  const stragglers = atSource === 0 ? "none left at the source" : `${atSource} still at the source: ${listMacs(map.source)}`;
  if (inAvs + atSource + map.both.length === 0) {
    return { ...base, outcome: "warn", summary: "Neither side's bridge has learned a workload MAC: nothing on the segment is talking.", evidence: mapLines(map) };
  }
  if (inAvs >= atSource) {
    return { ...base, outcome: "pass", summary: `${plural(inAvs, "workload")} already in AVS, ${stragglers}.`, evidence: mapLines(map) };
  }
  return {
    ...base,
    outcome: "warn",
    summary: `Most workloads are still at the source (${atSource}, against ${inAvs} in AVS): after the cut-over their routed traffic crosses the tunnel to the Tier-1 and back.`,
    evidence: mapLines(map),
  };
}

/** Unextend: the tunnels go, so a workload still at the source loses the segment. */
export function noWorkloadsLeftCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "no-workloads-left" as const, title: "No workload left at the source" };
  const map = locateWorkloads(evidence);
  if (!map.reported.source) {
    return {
      ...base,
      outcome: "warn",
      summary: "No fresh MAC list from any source gateway: the console cannot tell whether a workload is still at the source.",
      evidence: mapLines(map),
    };
  }
  const left = [...map.source, ...map.both];
  if (left.length > 0) {
    return {
      ...base,
      outcome: "fail",
      summary: `${plural(left.length, "workload")} still at the source (${listMacs(left)}) would lose the segment when the tunnels go.`,
      evidence: mapLines(map),
    };
  }
  return { ...base, outcome: "pass", summary: `Every workload is in AVS (${map.avs.length}); the source side has none left.`, evidence: mapLines(map) };
}

/**
 * After the cut-over (and before the unextend): the tromboning condition is gone, i.e. the gateway
 * is in AVS and so are most workloads. It judges the condition as the rule does (the same
 * `workloadsMostlyIn`), not the warning, which resolves only after staying clear for a while.
 */
export function tromboningClearedCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "tromboning-cleared" as const, title: "Tromboning cleared" };
  const map = locateWorkloads(evidence);
  const counts = {
    source: map.reported.source ? map.source.length + map.both.length : learnedCount(evidence, "source"),
    avs: map.reported.avs ? map.avs.length + map.both.length : learnedCount(evidence, "avs"),
  };
  const mostly = workloadsMostlyIn(counts);
  const warning = evidence.warnings.find((w) => w.kind === "tromboning");
  const lines = [
    `Default gateway: ${evidence.tenant.gatewayLocation === "avs" ? "in AVS (the Tier-1)" : "at the source site"}.`,
    `Workloads by learned MACs: ${counts.avs ?? "unknown"} in AVS, ${counts.source ?? "unknown"} at the source.`,
    warning ? `The tromboning warning is ${warning.state} since ${warning.openedAt.toISOString().slice(0, 16).replace("T", " ")} UTC; it resolves once the condition has stayed clear for 10 minutes.` : "No tromboning warning is open.",
  ];
  if (evidence.tenant.gatewayLocation !== "avs") {
    return { ...base, outcome: "fail", summary: "The default gateway is still at the source site.", evidence: lines };
  }
  if (mostly === "source") {
    return { ...base, outcome: "fail", summary: "Most workloads are still at the source, so their routed traffic now crosses the tunnel to the Tier-1 and back.", evidence: lines };
  }
  if (mostly === "unknown" && (counts.avs ?? 0) + (counts.source ?? 0) >= 4) {
    return { ...base, outcome: "warn", summary: "The workloads are split between the sites: those at the source still trombone through the tunnel.", evidence: lines };
  }
  if (counts.avs === null || counts.source === null) {
    return { ...base, outcome: "warn", summary: "Without fresh MAC reports from both sides the console cannot tell whether traffic still trombones.", evidence: lines };
  }
  return { ...base, outcome: "pass", summary: "The gateway and the workloads are both in AVS: routed traffic no longer crosses the tunnel.", evidence: lines };
}

/**
 * Offboarding deletes the segment: nothing may still be on it. Azure's own list of the segment's
 * VM ports (as the job last read it) is the evidence that outlives the tunnels; the AVS ends'
 * MAC lists add what they see while they still report.
 */
export function segmentWorkloadsCheck(evidence: StretchEvidence): CheckResult {
  const base = { id: "segment-workloads" as const, title: "Segment no longer carrying workloads" };
  const map = locateWorkloads(evidence);
  const ports = evidence.segment?.portVifs ?? null;
  const lines = [
    ports === null
      ? "Azure's list of the segment's VM ports has not been read yet."
      : `Azure lists ${plural(ports.length, "VM port")} on the segment${ports.length ? `: ${ports.slice(0, 5).join(", ")}${ports.length > 5 ? ` and ${ports.length - 5} more` : ""}` : ""} (read ${describeAge(evidence.segment?.checkedAt ?? null, evidence.now)}).`,
    map.reported.avs ? `The AVS edge bridges see ${plural(map.avs.length + map.both.length, "workload MAC")} on the segment${map.avs.length ? `: ${listMacs(map.avs)}` : ""}.` : "No AVS edge bridge reports MAC lists.",
  ];
  if ((ports?.length ?? 0) > 0 || map.avs.length + map.both.length > 0) {
    const count = Math.max(ports?.length ?? 0, map.avs.length + map.both.length);
    return { ...base, outcome: "fail", summary: `The segment still carries ${plural(count, "workload")}: deleting it cuts them off.`, evidence: lines };
  }
  if (ports === null && !map.reported.avs) {
    return { ...base, outcome: "warn", summary: "Nothing tells whether workloads are still on the segment: Azure's port list was never read and no edge bridge reports.", evidence: lines };
  }
  return { ...base, outcome: "pass", summary: "No VM port and no workload MAC on the segment.", evidence: lines };
}
