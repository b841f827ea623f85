/**
 * No active path: every end of both tunnels reports, and no tunnel has both ends active, so the
 * stretched VLAN is cut in two. Critical. Silent ends are left to the stale and down rules: the
 * console cannot tell what a silent end does.
 */
import { pairReasonText } from "@/lib/domain/pair-role";
import { SIDES } from "@/lib/domain/tenant-options";
import { clock, describeEnds, nameTunnel, pairTunnels, settled } from "./pair";
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

export function pairNoActivePathRule(input: RuleInput): Condition[] {
  const tunnels = pairTunnels(input);
  if (tunnels.length < 2) return [];
  const reports = tunnels.flatMap((t) => SIDES.map((side) => t.ends[side].latest));
  if (reports.some((r) => r === null)) return [];
  const all = reports.flatMap((r) => (r ? [r] : []));
  if (tunnels.some((t) => t.ends.source.latest?.role === "active" && t.ends.avs.latest?.role === "active")) return [];
  if (!settled(input, all)) return [];
  const since = new Date(Math.max(...all.map((r) => r.since.getTime())));
  const crossed = tunnels.some((t) => t.ends.source.latest?.role === "active") && tunnels.some((t) => t.ends.avs.latest?.role === "active");
  const faults = tunnels.flatMap((t) =>
    SIDES.flatMap((side) => {
      const r = t.ends[side].latest!;
      return r.role === "fault" ? [`${nameTunnel(t)}'s ${side === "source" ? "source gateway" : "edge bridge"}: ${pairReasonText(r.reason)}`] : [];
    }),
  );
  const message =
    `No tunnel carries the stretched VLAN since ${clock(since)}: the two sites are cut off from each other. ` +
    tunnels.map((t) => `${nameTunnel(t)}: ${describeEnds(t)}.`).join(" ") +
    " " +
    (crossed
      ? "The source side and the AVS side chose different tunnels: an edge bridge stands only for the tunnel whose gateway it hears, so check that each edge bridge hears its own gateway through its tunnel (underlay, IPsec)."
      : faults.length > 0
        ? `In fault: ${faults.join("; ")}.`
        : "Every end stands by: check that keepalived runs on the source gateways.");
  return [
    tenantCondition(input, "pair-no-active-path", "critical", message, {
      since: since.toISOString(),
      crossed,
      tunnels: tunnels.map((t) => ({ ordinal: t.ordinal, source: t.ends.source.latest?.role ?? null, avs: t.ends.avs.latest?.role ?? null })),
    }),
  ];
}
