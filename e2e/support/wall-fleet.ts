/**
 * A NOC snapshot of a large fleet, for the wall's browser tests: the wall renders whatever
 * GET /api/v1/noc answers, so a spec serves this in place of the console's answer (page.route)
 * and the wall draws 1,000 tunnels without seeding 1,000 tunnels and 2,000 agents into the
 * console every other spec shares. The server side at that size is the benchmark's (bench/views.ts).
 *
 * Deterministic: which tunnels have a problem follows from their number alone.
 */
import type { TunnelStatus } from "@/lib/domain/status";
import type { NocSnapshot, NocTile } from "@/lib/queries/noc";

/** Tunnel i's status: about 6% of the fleet has a problem, spread through it as in life. */
export function fleetStatusOf(i: number): TunnelStatus {
  if (i % 50 === 7) return "down";
  if (i % 97 === 3) return "stale";
  if (i % 37 === 5) return "degraded";
  if (i % 199 === 11) return "maintenance";
  return "operational";
}

export function largeFleetSnapshot(options: { tunnels: number; now: Date; newestSampleAgeMs: number }): NocSnapshot {
  const { now } = options;
  const tiles: NocTile[] = Array.from({ length: options.tunnels }, (_, i) => {
    const status = fleetStatusOf(i);
    const base = 5 + (i % 40);
    return {
      tunnelId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      // Realistic lengths: slugs of 8–12 characters, as the demo tenants have.
      label: `${["contoso", "fabrikam", "northwind", "adventure", "wingtip"][i % 5]}-${String(Math.floor(i / 2)).padStart(3, "0")}/${i % 2 ? "secondary" : "primary"}`,
      status,
      statusChangedAt: new Date(now.getTime() - ((i % 90) + 1) * 60_000).toISOString(),
      rttMs: status === "down" || status === "stale" ? null : base + (i % 7) / 10,
      sparkline: Array.from({ length: 60 }, (_, m) => (status === "down" && m > 50 ? null : base + ((m * 7 + i) % 11) / 2)),
      pairRole: null,
      // A tunnel that is down carries nothing; the others some tens of Mbit/s each way.
      throughput: status === "down" || status === "stale" ? null : { toAvsBps: (base + (i % 3)) * 1_000_000, fromAvsBps: base * 500_000 },
    };
  });
  const counts = { operational: 0, degraded: 0, down: 0, stale: 0, maintenance: 0 } satisfies Record<TunnelStatus, number>;
  for (const tile of tiles) counts[tile.status]++;
  const warnings = tiles
    .filter((tile) => tile.status === "down" || tile.status === "degraded")
    .map((tile, n) => ({
      id: `w-${n}`,
      severity: tile.status === "down" ? ("critical" as const) : ("warning" as const),
      kind: tile.status === "down" ? "tunnel-down" : "latency-high",
      title: tile.status === "down" ? "Tunnel down" : "Latency above objective",
      label: tile.label,
      message: tile.status === "down" ? "No traffic has crossed the tunnel for 3 intervals." : "Round-trip time is 48 ms, above the tenant's objective of 30 ms.",
      openedAt: tile.statusChangedAt,
      acknowledged: n % 4 === 0,
    }));
  return {
    generatedAt: now.toISOString(),
    newestSampleAt: new Date(now.getTime() - options.newestSampleAgeMs).toISOString(),
    sampleIntervalMs: 30_000,
    counts,
    warningCounts: {
      critical: warnings.filter((w) => w.severity === "critical").length,
      warning: warnings.filter((w) => w.severity === "warning").length,
      info: 0,
    },
    tiles,
    warnings,
  };
}
