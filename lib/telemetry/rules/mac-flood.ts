/**
 * MAC floods: the bridges at both ends learn every source MAC seen on the stretched VLAN. A count
 * far beyond what the segment's workloads explain means spoofed sources (a MAC-flooding attack or
 * a broken host) or a loop, and a full table turns every frame into a flood. The subnet size is
 * quoted because it bounds how many addressed workloads can exist on the segment.
 */
import { parseCidr } from "@/lib/domain/cidr";
import { SIDE_NAME } from "@/lib/domain/tenant-options";
import { describeRun, fmt, judgeSides, nameSides, sidesOf, tunnelCondition, verdictDetails, worstOf } from "./samples";
import { type Condition, type RuleInput } from "./types";

/** Usable addresses of an IPv4 subnet, or null for IPv6 or anything unparsable (too large to mean anything). */
function ipv4Capacity(subnet: string): number | null {
  const parsed = parseCidr(subnet);
  if (!parsed.ok || parsed.cidr.family !== "ipv4") return null;
  return Math.max(2 ** (32 - parsed.cidr.prefix) - 2, 1);
}

export function macFloodRule(input: RuleInput): Condition[] {
  const t = input.thresholds;
  const verdicts = judgeSides(input, (s) => s.learnedMacs, { warning: (v) => v >= t.learnedMacsWarning, critical: (v) => v >= t.learnedMacsCritical });
  const severity = worstOf(verdicts);
  if (!severity) return [];
  const sides = sidesOf(verdicts);
  const longest = Math.max(...sides.map((s) => verdicts[s]!.consecutive));
  const peak = Math.max(...sides.map((s) => verdicts[s]!.peak));
  const capacity = ipv4Capacity(input.tenant.subnet);
  const numbers = sides.map((s) => `${fmt(verdicts[s]!.latest, 0)} at the ${SIDE_NAME[s]}`).join("; ");
  const bound =
    capacity !== null && peak > capacity
      ? ` That is more MAC addresses than ${input.tenant.subnet} has host addresses (${fmt(capacity, 0)}).`
      : "";
  const message =
    `The bridges behind ${nameSides(sides)} have learned ${fmt(severity === "critical" ? t.learnedMacsCritical : t.learnedMacsWarning, 0)} or more MAC ` +
    `addresses for ${describeRun(longest, input)}: ${numbers}.${bound} ` +
    "A MAC table this full means spoofed source addresses (a flooding attack or a faulty host) or a loop, and once the " +
    "table overflows every frame is flooded across the tunnel. Find the port the new addresses arrive on and shut or " +
    "rate-limit it (port security on the source switch).";
  return [
    tunnelCondition(input, "mac-flood", severity, message, {
      warningMacs: t.learnedMacsWarning,
      criticalMacs: t.learnedMacsCritical,
      subnetHostAddresses: capacity,
      ...verdictDetails(verdicts),
    }),
  ];
}
