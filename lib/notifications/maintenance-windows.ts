/**
 * Maintenance windows drive the tunnel status every view already knows: while a window covers a
 * tunnel (its own, or its tenant's), `tunnels.maintenance_until` holds the window's end, so the
 * evaluation reports the tunnel as "maintenance" (lib/telemetry/health.ts), raises nothing for
 * it and holds its warnings. Kept in step by one statement, run by each dispatcher round and
 * right after a window is made or ended, so a window that starts later takes effect on time.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { queryRows, timeParam } from "@/lib/telemetry/sql";

/** Sets or clears maintenance_until on every tunnel whose window state changed; returns how many changed. */
export async function syncTunnelMaintenance(db: Database, now: Date): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    // The tunnels that change are locked first, in id order, like every other write of several
    // tunnels (lib/commands/lock-in-id-order.ts): left to the update, they were locked in the
    // order its plan reached them (the table's), and the evaluation writing the same tunnels'
    // status deadlocked with the dispatcher round (tests/tunnel-write-lock-order.test.ts).
    sql`with wanted as (
          select t2.id, max(mw.ends_at) as until
          from tunnels t2
          left join maintenance_windows mw
            on mw.tenant_id = t2.tenant_id
           and (mw.tunnel_id is null or mw.tunnel_id = t2.id)
           and mw.starts_at <= ${timeParam(now)} and mw.ends_at > ${timeParam(now)}
          group by t2.id
        ), locked as (
          select t.id, w.until from tunnels t join wanted w on w.id = t.id
          where t.maintenance_until is distinct from w.until
          order by t.id for no key update of t
        )
        update tunnels t set maintenance_until = l.until
        from locked l
        where t.id = l.id
        returning t.id`,
  );
  return rows.length;
}
