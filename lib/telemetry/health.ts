/**
 * The one tunnel status every view shows (admin portal, tenant view, NOC wall), so they never
 * disagree. Decided in this order, first match wins:
 *
 * 1. maintenance: `maintenanceUntil` is in the future. Planned work explains anything else.
 * 2. stale: neither side has reported within `staleAfterIntervals` sample intervals. The console
 *    knows nothing about the tunnel, so it does not guess "down".
 * 3. down: the tunnel-down condition holds (every reporting side sees 100 % loss; one silent side
 *    plus total loss on the other is down, see rules/tunnel-down.ts).
 * 4. degraded, when either
 *    - exactly ONE side is silent: the tunnel may well carry traffic, but "operational" promises
 *      that both ends report and are within objective, and half the picture cannot promise that; or
 *    - a condition of severity warning or critical for this tunnel is of a kind that degrades
 *      (WARNING_KINDS[kind].degradesTunnel): down-and-up flapping, latency over objective or far
 *      above baseline, jitter, loss, path MTU, asymmetric routing, broadcast storm, MAC flood.
 *    Conditions that do NOT degrade: tromboning, single point of failure, stretch past cut-over
 *    (they are about the tenant's design and plan; the tunnel carries traffic fine), and any
 *    info-severity condition.
 * 5. operational otherwise.
 *
 * Status follows the conditions of this evaluation, not the warnings' lifecycle: the tile turns
 * green when the tunnel is healthy again, while the warning waits out its clear period.
 */
import type { TunnelStatus } from "@/lib/domain/status";
import { SIDES } from "@/lib/domain/tenant-options";
import { WARNING_KINDS } from "@/lib/domain/warning-kinds";
import { inMaintenance } from "./rules/evaluate";
import { isSilent } from "./rules/samples";
import { type Condition, type RuleInput } from "./rules/types";

export function tunnelHealth(input: RuleInput, conditions: readonly Condition[], now: Date = input.now): TunnelStatus {
  if (inMaintenance(input, now)) return "maintenance";
  const silent = SIDES.filter((side) => isSilent(input, side, now));
  if (silent.length === SIDES.length) return "stale";
  const mine = conditions.filter((c) => c.tunnelId === input.tunnel.id);
  if (mine.some((c) => c.kind === "tunnel-down")) return "down";
  if (silent.length > 0) return "degraded";
  if (mine.some((c) => c.severity !== "info" && WARNING_KINDS[c.kind].degradesTunnel)) return "degraded";
  return "operational";
}
