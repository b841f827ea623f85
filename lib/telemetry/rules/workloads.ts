/**
 * Where most of a segment's workloads are, from how many MACs each side's bridge learned on its
 * own ports. Shared by the evaluation job (tromboning) and the cut-over pre-checks, so the two
 * can never disagree about it.
 */
import type { Side } from "@/lib/domain/tenant-options";

/**
 * Each agent counts the MAC addresses its bridge learned on the local (LAN) port, i.e. the
 * workloads on its side; a side with at least twice the other's is where they mostly are. Fewer
 * than 4 in all tells nothing.
 */
export function workloadsMostlyIn(localMacs: Record<Side, number | null>): Side | "unknown" {
  const source = localMacs.source ?? 0;
  const avs = localMacs.avs ?? 0;
  if (localMacs.source === null || localMacs.avs === null || source + avs < 4) return "unknown";
  if (source >= 2 * avs) return "source";
  if (avs >= 2 * source) return "avs";
  return "unknown";
}
