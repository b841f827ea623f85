/**
 * Reading the evidence the checks share: which reports are fresh, where each workload's MAC was
 * learned, and how to word ages, counts and MAC lists for an operator.
 */
import type { Side } from "@/lib/domain/tenant-options";
import { SWEEP_OUI } from "@/lib/gateway/pair";
import type { EndEvidence, StretchEvidence, TunnelEvidence } from "./types";

/** How many MAC addresses a summary spells out before "… and N more". */
const MACS_SHOWN = 5;

export function isFresh(at: Date | null, evidence: Pick<StretchEvidence, "now" | "staleAfterMs">): at is Date {
  return at !== null && evidence.now.getTime() - at.getTime() <= evidence.staleAfterMs;
}

/** "12 s ago", "4 min ago", "3 h ago", "never". */
export function describeAge(at: Date | null, now: Date): string {
  if (!at) return "never";
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

/** "aa:bb:…, cc:dd:… and 3 more". */
export function listMacs(macs: readonly string[]): string {
  const shown = macs.slice(0, MACS_SHOWN).join(", ");
  return macs.length > MACS_SHOWN ? `${shown} and ${macs.length - MACS_SHOWN} more` : shown;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * A workload's MAC: unicast (the group bit clear), and not one of the pair's ARP-sweep MACs
 * (02:62:68:…), which are the gateways' own probes, not hosts.
 */
export function isWorkloadMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 1) === 0 && !mac.startsWith(SWEEP_OUI);
}

export type EndOf = { tunnel: TunnelEvidence; end: EndEvidence };

export function allEnds(evidence: Pick<StretchEvidence, "tunnels">): EndOf[] {
  return evidence.tunnels.flatMap((tunnel) => (["source", "avs"] as const).flatMap((side) => (tunnel.ends[side] ? [{ tunnel, end: tunnel.ends[side]! }] : [])));
}

export type WorkloadMap = {
  /** Distinct workload MACs learned on the AVS side's own ports (every fresh AVS end's list), sorted. */
  avs: string[];
  /** Likewise at the source site. */
  source: string[];
  /** Learned locally on both sides at once: a workload moving right now, or a loop. */
  both: string[];
  /** Which sides had at least one fresh MAC report. */
  reported: Record<Side, boolean>;
  /** A side had more MACs than an agent lists: the lists are a sample, not all. */
  truncated: boolean;
  /** The ends whose lists are too old to use (their names, for the evidence). */
  staleEnds: string[];
};

/**
 * Where each workload is, from the ends' newest MAC lists: a MAC an AVS end's bridge learned on
 * its own port (the segment) is a workload in AVS; one a source end learned on its LAN port is at
 * the source. Both tunnels of a pair count (the standby's bridge still sees its side's LAN).
 */
export function locateWorkloads(evidence: Pick<StretchEvidence, "tunnels" | "now" | "staleAfterMs">): WorkloadMap {
  const seen: Record<Side, Set<string>> = { source: new Set(), avs: new Set() };
  const reported: Record<Side, boolean> = { source: false, avs: false };
  const staleEnds: string[] = [];
  let truncated = false;
  for (const { tunnel, end } of allEnds(evidence)) {
    if (!end.macReport) continue;
    if (!isFresh(end.macReportedAt, evidence)) {
      staleEnds.push(`${tunnel.name} ${end.side === "avs" ? "AVS" : "source"} end ${end.hostname} (MACs reported ${describeAge(end.macReportedAt, evidence.now)})`);
      continue;
    }
    reported[end.side] = true;
    truncated ||= end.macReport.truncated;
    for (const mac of end.macReport.local) if (isWorkloadMac(mac)) seen[end.side].add(mac);
  }
  const both = [...seen.avs].filter((mac) => seen.source.has(mac)).sort();
  const without = (side: Side) => [...seen[side]].filter((mac) => !both.includes(mac)).sort();
  return { avs: without("avs"), source: without("source"), both, reported, truncated, staleEnds };
}

/** The newest learned-MAC count a side reported (the largest of its fresh ends: a pair's two see the same hosts), for agents that send no lists. */
export function learnedCount(evidence: Pick<StretchEvidence, "tunnels" | "now" | "staleAfterMs">, side: Side): number | null {
  const counts = allEnds(evidence)
    .filter(({ end }) => end.side === side && isFresh(end.lastSampleAt, evidence) && end.learnedMacs !== null)
    .map(({ end }) => end.learnedMacs!);
  return counts.length === 0 ? null : Math.max(...counts);
}

export function endLabel({ tunnel, end }: EndOf): string {
  return `${tunnel.name}: ${end.side === "avs" ? "AVS edge bridge" : "source gateway"} ${end.hostname}`;
}
