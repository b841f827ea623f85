/**
 * Two background writes of several tunnels at once, against the commands that lock a tenant's
 * tunnels in id order (lib/commands/lock-in-id-order.ts):
 * - the dispatcher round's maintenance sync (lib/notifications/maintenance-windows.ts) sets
 *   `maintenance_until` on every tunnel a window starts or ends for;
 * - the evaluation writes the tunnels whose status changed (lib/telemetry/evaluation/writes.ts).
 * Both used to lock the rows in the order their plan reached them (the table's), so a window
 * starting on a tenant that an operator offboards at that moment deadlocked (PostgreSQL aborts
 * one: 40P01, the offboarding or the dispatcher round fails), and once the sync locks in id
 * order, so would the sync and the evaluation. Both now lock in id order first.
 *
 * The race is forced (tests/support/lock-race.ts): a test-only trigger pauses instance
 * A at the first tunnel row its update reaches (locked by then), on an advisory lock the test
 * holds; instance B starts once A waits there, and the advisory lock is released once B waits on
 * a row lock. The tenant's two tunnels are written so that the table's order reaches the higher
 * id first and id order the lower: A in the table's order holds the higher, B takes the lower and
 * waits for the higher, A then wants the lower: 40P01 (the control cases). In id order, A holds
 * both before its update starts and B waits holding nothing.
 */
import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import type { Database } from "@/lib/db/client";
import { sqlState } from "@/lib/db/errors";
import { maintenanceWindows, tenants, tunnels } from "@/lib/db/schema";
import { syncTunnelMaintenance } from "@/lib/notifications/maintenance-windows";
import { applyTunnelStatuses } from "@/lib/telemetry/evaluation/writes";
import { insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace } from "./support/lock-race";

const NOW = new Date("2026-12-05T11:00:00Z");
/** Every test's window covers NOW and ends at the same time: a tenant synced once stays as it is. */
const WINDOW = { startsAt: new Date(NOW.getTime() - 60_000), endsAt: new Date(NOW.getTime() + 3_600_000) };

describe.skipIf(inject("postgresUnavailable") !== null)("the maintenance sync, the evaluation's statuses and the commands lock tunnels in one order [postgres]", () => {
  /** Instance A pauses at the first tunnel its update reaches. */
  const lock = useLockRace({ table: "tunnels", on: "update" });

  const failuresOf = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.flatMap((o) => (o.status === "rejected" ? [sqlState(o.reason) ?? String(o.reason)] : []));

  it("control: the sync in the table's order deadlocks with an offboarding of the tenant", async () => {
    const { tenantId } = await makeTenant(lock.a.db);
    // The statement before the fix: the tunnels as the update's plan reaches them.
    const tableOrder = () =>
      lock.a.db.transaction(async (tx) =>
        tx.execute(sql`update tunnels t set maintenance_until = w.until
          from (select t2.id, max(mw.ends_at) as until from tunnels t2
                left join maintenance_windows mw on mw.tenant_id = t2.tenant_id and (mw.tunnel_id is null or mw.tunnel_id = t2.id)
                 and mw.starts_at <= ${NOW.toISOString()}::timestamptz and mw.ends_at > ${NOW.toISOString()}::timestamptz
                group by t2.id) w
          where w.id = t.id and t.maintenance_until is distinct from w.until`),
      );
    const outcomes = await lock.race(tableOrder, () => offboardTenant(lock.b.db, null, tenantId, NOW));
    expect(failuresOf(outcomes)).toEqual(["40P01"]);
  });

  it("a window starting on a tenant that is being offboarded: the sync and the offboarding both finish", async () => {
    const { tenantId, low, high } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => lock.a.db.transaction((tx) => syncTunnelMaintenance(tx, NOW)),
      () => offboardTenant(lock.b.db, null, tenantId, NOW),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: 2 },
      { status: "fulfilled", value: { ok: true, state: "offboarded", quarantinedUntil: null } },
    ]);
    // Both writes are there: the window's end on the tunnels, and the offboarding's cleared keys.
    const rows = await lock.a.db.select({ until: tunnels.maintenanceUntil, psk: tunnels.pskCiphertext }).from(tunnels).where(inArray(tunnels.id, [low, high]));
    expect(rows).toEqual([
      { until: WINDOW.endsAt, psk: null },
      { until: WINDOW.endsAt, psk: null },
    ]);
  });

  it("control: the evaluation's statuses in the table's order deadlock with the sync", async () => {
    const { low, high } = await makeTenant(lock.a.db);
    // The statement before the fix, with the evaluation's list in the tenant's order.
    const rows = JSON.stringify([high, low].map((id) => ({ id, status: "down" })));
    const tableOrder = () =>
      lock.a.db.transaction(async (tx) =>
        tx.execute(sql`update tunnels t set status = c.status::tunnel_status, status_changed_at = ${NOW.toISOString()}::timestamptz
          from json_to_recordset(${rows}::json) as c(id uuid, status text)
          where t.id = c.id and t.status::text <> c.status`),
      );
    const outcomes = await lock.race(tableOrder, () => lock.b.db.transaction((tx) => syncTunnelMaintenance(tx, NOW)));
    expect(failuresOf(outcomes)).toEqual(["40P01"]);
  });

  it("the evaluation moves a tenant's tunnels while a window starts on them: both finish", async () => {
    const { low, high } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => lock.a.db.transaction((tx) => applyTunnelStatuses(tx, [high, low].map((tunnelId) => ({ tunnelId, status: "down" as const })), NOW)),
      () => lock.b.db.transaction((tx) => syncTunnelMaintenance(tx, NOW)),
    );
    expect(failuresOf(outcomes)).toEqual([]);
    expect(outcomes[1]).toEqual({ status: "fulfilled", value: 2 });
    const rows = await lock.a.db.select({ status: tunnels.status, until: tunnels.maintenanceUntil }).from(tunnels).where(inArray(tunnels.id, [low, high]));
    expect(rows).toEqual([
      { status: "down", until: WINDOW.endsAt },
      { status: "down", until: WINDOW.endsAt },
    ]);
  });
});

/**
 * An active tenant with two operational tunnels and a maintenance window covering NOW that the
 * tunnels do not show yet. The higher id is written first, so a scan of the table reaches it
 * first and id order last.
 */
async function makeTenant(db: Database): Promise<{ tenantId: string; low: string; high: string }> {
  // Whatever an earlier race left unsynced (its aborted side) is settled first: each race writes only this tenant's tunnels.
  await syncTunnelMaintenance(db, NOW);
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db
    .insert(tenants)
    .values({ slug: `tw-${suffix}`, displayName: "Tunnel write lock order", privateCloudId: cloud.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "10.1.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.1", state: "active" })
    .returning();
  const [low, high] = [randomUUID(), randomUUID()].sort();
  await db.insert(tunnels).values({ id: high!, tenantId: tenant!.id, ordinal: 1, name: "primary", status: "operational", pskCiphertext: "x" });
  await db.insert(tunnels).values({ id: low!, tenantId: tenant!.id, ordinal: 2, name: "secondary", status: "operational", pskCiphertext: "x" });
  await db.insert(maintenanceWindows).values({ tenantId: tenant!.id, ...WINDOW, reason: "lock order test", createdBy: "test" });
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenant!.id));
  return { tenantId: row!.id, low: low!, high: high! };
}
