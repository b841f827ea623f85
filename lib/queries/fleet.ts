import { count, ne, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants, tunnels, warnings } from "@/lib/db/schema";
import { TUNNEL_STATUSES, type TunnelStatus } from "@/lib/domain/status";

export type FleetSummary = {
  privateClouds: number;
  activeTenants: number;
  tunnelsByStatus: Record<TunnelStatus, number>;
  openWarnings: { info: number; warning: number; critical: number };
};

/** The numbers every overview starts from, in one round of small aggregate queries. */
export async function getFleetSummary(db: Database): Promise<FleetSummary> {
  const [[clouds], [active], tunnelRows, warningRows] = await Promise.all([
    db.select({ n: count() }).from(privateClouds),
    db.select({ n: count() }).from(tenants).where(ne(tenants.state, "offboarded")),
    db.select({ status: tunnels.status, n: count() }).from(tunnels).groupBy(tunnels.status),
    db
      .select({ severity: warnings.severity, n: count() })
      .from(warnings)
      .where(sql`${warnings.state} <> 'resolved'`)
      .groupBy(warnings.severity),
  ]);
  const tunnelsByStatus = Object.fromEntries(TUNNEL_STATUSES.map((s) => [s, 0])) as Record<TunnelStatus, number>;
  for (const row of tunnelRows) tunnelsByStatus[row.status] = row.n;
  const openWarnings = { info: 0, warning: 0, critical: 0 };
  for (const row of warningRows) openWarnings[row.severity] = row.n;
  return {
    privateClouds: clouds?.n ?? 0,
    activeTenants: active?.n ?? 0,
    tunnelsByStatus,
    openWarnings,
  };
}
