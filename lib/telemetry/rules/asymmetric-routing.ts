/**
 * Asymmetric routing: the source agent traces its path toward the AVS end (forward), the AVS
 * agent traces toward the source (reverse). Read backwards, the reverse path should cross the
 * same networks in the same order. When it does not, the two directions take different routes,
 * typically out over ExpressRoute and back over the internet VPN, or through different ISPs,
 * and stateful firewalls or NAT on either route drop replies to flows they never saw leave.
 *
 * Honest limits of comparing traceroutes: each router answers from the interface the probe came
 * in on, so even a perfectly symmetric route shows a different address per direction for the
 * same router. Hops therefore match when they share a network (IPv4 /24, IPv6 /64), and a hop
 * that did not answer (null) matches anything. What this catches is paths crossing different
 * networks or a different number of hops; it cannot prove two paths use the same routers.
 */
import ipaddr from "ipaddr.js";
import { recentSamples, tunnelCondition } from "./samples";
import type { Condition, PathHop, RuleInput } from "./types";
import type { Side } from "@/lib/domain/tenant-options";

export type PathDifference = {
  /** 1-based hop number counted from the source side, where the paths first differ. */
  hop: number;
  forward: string | null;
  reverse: string | null;
  forwardHops: number;
  reverseHops: number;
};

function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    const parsed = ipaddr.parse(address);
    // An IPv4-mapped IPv6 address is an IPv4 hop written differently.
    return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  } catch {
    return null;
  }
}

/** Same router network: equal, or inside one IPv4 /24 or IPv6 /64. */
export function sameHopNetwork(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb || pa.kind() !== pb.kind()) return false;
  return pa.kind() === "ipv4" ? pa.match(pb, 24) : pa.match(pb, 64);
}

/** The hops between the two gateways, by TTL, without the final hop (the far gateway itself). */
function intermediateHops(path: readonly PathHop[]): PathHop[] {
  return [...path].sort((a, b) => a.ttl - b.ttl).slice(0, -1);
}

/**
 * One position of the forward path beside the reversed reverse path; `hop` is 1-based from the
 * source side. A side is undefined past the end of the shorter path. `differs` follows the rule
 * above: an unanswered hop matches anything; a hop only one path has, or two hops in different
 * networks, differ.
 */
export type AlignedHop = { hop: number; forward: PathHop | undefined; reverse: PathHop | undefined; differs: boolean };

/**
 * The two paths' intermediate hops lined up position by position, the reverse path read
 * backwards: what `comparePaths` judges, and what a view sets side by side to mark every
 * position that differs.
 */
export function alignPaths(forward: readonly PathHop[], reverse: readonly PathHop[]): AlignedHop[] {
  const f = intermediateHops(forward);
  const r = intermediateHops(reverse).reverse();
  return Array.from({ length: Math.max(f.length, r.length) }, (_, i) => {
    const a = f[i];
    const b = r[i];
    const unanswered = a?.address === null || b?.address === null;
    const differs = !unanswered && (a === undefined || b === undefined || !sameHopNetwork(a.address!, b.address!));
    return { hop: i + 1, forward: a, reverse: b, differs };
  });
}

/**
 * Where the forward path and the reversed reverse path first differ, or null when they agree
 * (allowing for unanswered hops). Extra hops on the longer path that did not answer are not a
 * difference; extra hops that did are.
 */
export function comparePaths(forward: readonly PathHop[], reverse: readonly PathHop[]): PathDifference | null {
  const first = alignPaths(forward, reverse).find((position) => position.differs);
  if (!first) return null;
  return {
    hop: first.hop,
    forward: first.forward?.address ?? null,
    reverse: first.reverse?.address ?? null,
    forwardHops: forward.length,
    reverseHops: reverse.length,
  };
}

/** The first hop on a path that answered: the underlay next hop a gateway leaves through. */
export function firstAnsweringHop(path: readonly PathHop[] | null | undefined): string | null {
  if (!path) return null;
  return [...path].sort((a, b) => a.ttl - b.ttl).find((h) => h.address !== null)?.address ?? null;
}

export function asymmetricRoutingRule(input: RuleInput): Condition[] {
  const withPath = (side: Side) => recentSamples(input, side).filter((s) => s.path && s.path.length > 0);
  const forward = withPath("source");
  const reverse = withPath("avs");
  const needed = input.thresholds.openAfterConsecutive;
  if (forward.length < needed || reverse.length < needed) return [];
  // Pair the newest path from each side, then the one before, and so on: every pair must differ,
  // so a single trace caught mid-reconvergence does not raise anything.
  const differences: PathDifference[] = [];
  for (let k = 1; k <= needed; k++) {
    const diff = comparePaths(forward[forward.length - k]!.path!, reverse[reverse.length - k]!.path!);
    if (!diff) return [];
    differences.push(diff);
  }
  const d = differences[0]!;
  const where =
    d.forward && d.reverse
      ? `at hop ${d.hop} from the source the forward path crosses ${d.forward} and the reverse path ${d.reverse}`
      : `from hop ${d.hop} from the source only the ${d.forward ? "forward" : "reverse"} path continues (through ${d.forward ?? d.reverse})`;
  const message =
    `The forward path (source gateway → AVS) and the reverse path (AVS → source gateway) differ in the last ${needed} traces: ` +
    `${where}; the forward path has ${d.forwardHops} hops, the reverse ${d.reverseHops}. ` +
    "Stateful firewalls or NAT on either route can drop replies to flows they never saw leave, and the two directions see " +
    "different delay. Make both ends prefer the same transport: check route preferences on both gateways and at the edge " +
    "(BGP local-preference, AS-path prepending, VPN versus ExpressRoute weights).";
  return [
    tunnelCondition(input, "asymmetric-routing", "warning", message, {
      firstDifferentHop: d.hop,
      forwardAddress: d.forward,
      reverseAddress: d.reverse,
      forwardPath: forward[forward.length - 1]!.path!.map((h) => h.address),
      reversePath: reverse[reverse.length - 1]!.path!.map((h) => h.address),
      tracesCompared: needed,
    }),
  ];
}
