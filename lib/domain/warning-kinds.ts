/**
 * Every kind of warning the rules raise, defined once: its name in words, whether it is about one
 * tunnel or the tenant as a whole, and whether it degrades the tunnel's status.
 *
 * `degradesTunnel`: whether a warning- or critical-severity condition of this kind makes the
 * tunnel's status "degraded" (lib/telemetry/health.ts). Conditions about the tunnel's path or
 * traffic degrade it; conditions about the tenant's design or plan (cut-over date, redundancy,
 * gateway placement) do not, because the tunnel itself carries traffic fine and a red tile would
 * teach the NOC to ignore red tiles. `scope`: a tenant-scoped condition is about the tenant as a
 * whole and is reported once, not once per tunnel.
 */
export const WARNING_KINDS = {
  "tunnel-down": { label: "Tunnel down", scope: "tunnel", degradesTunnel: true },
  flapping: { label: "Tunnel flapping", scope: "tunnel", degradesTunnel: true },
  stale: { label: "No telemetry", scope: "tunnel", degradesTunnel: true },
  "latency-objective": { label: "Latency above objective", scope: "tunnel", degradesTunnel: true },
  "latency-baseline": { label: "Latency far above baseline", scope: "tunnel", degradesTunnel: true },
  jitter: { label: "Jitter", scope: "tunnel", degradesTunnel: true },
  loss: { label: "Packet loss", scope: "tunnel", degradesTunnel: true },
  "path-mtu": { label: "Path MTU too small", scope: "tunnel", degradesTunnel: true },
  "asymmetric-routing": { label: "Asymmetric routing", scope: "tunnel", degradesTunnel: true },
  "broadcast-storm": { label: "Broadcast storm", scope: "tunnel", degradesTunnel: true },
  "mac-flood": { label: "MAC flood", scope: "tunnel", degradesTunnel: true },
  tromboning: { label: "Tromboning", scope: "tenant", degradesTunnel: false },
  "single-point-of-failure": { label: "Single point of failure", scope: "tenant", degradesTunnel: false },
  "stretch-past-cutover": { label: "Stretch past cut-over", scope: "tenant", degradesTunnel: false },
  // The active/standby pair (lib/telemetry/rules/pair-*.ts): about the tenant's two tunnels together.
  "pair-both-active": { label: "Both tunnels active (loop risk)", scope: "tenant", degradesTunnel: false },
  "pair-no-active-path": { label: "No active tunnel", scope: "tenant", degradesTunnel: false },
  "pair-standby-unhealthy": { label: "Standby tunnel unhealthy", scope: "tenant", degradesTunnel: false },
  "pair-failover": { label: "Failover", scope: "tenant", degradesTunnel: false },
} as const satisfies Record<string, { label: string; scope: "tunnel" | "tenant"; degradesTunnel: boolean }>;

export type WarningKind = keyof typeof WARNING_KINDS;

export function isWarningKind(kind: string): kind is WarningKind {
  return Object.hasOwn(WARNING_KINDS, kind);
}

/**
 * A warning kind's name in words. A kind this release does not know (written by a newer rule
 * during a rolling upgrade) reads as itself rather than as a blank.
 */
export function warningKindLabel(kind: string): string {
  return isWarningKind(kind) ? WARNING_KINDS[kind].label : kind;
}
