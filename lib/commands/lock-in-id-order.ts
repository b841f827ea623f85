/**
 * A command that writes several tunnels or endpoints locks them first, in id order: the order the
 * agents' ingest locks a group's endpoints in (lib/telemetry/ingest.ts, the `locked` step).
 * Left to the UPDATE or DELETE, rows are locked in whatever order its plan reaches them (the
 * table's, for a scan), and two transactions that lock two of the same rows in opposite orders
 * deadlock on PostgreSQL: it aborts one of them (40P01), an offboarding or an agents' batch lost
 * (tests/command-lock-order.test.ts). The rows come out of the sort and are locked in that order.
 *
 * "no key update" is what an UPDATE that changes no key takes anyway, so the agents' sample
 * inserts (their foreign-key checks take "key share") do not wait on it; a DELETE takes "update".
 * The warning evaluation locks its batch's tenants ("key share", the lock its foreign keys take
 * anyway) in id order before their tunnels, as a command on a tenant does
 * (tests/evaluation-lock-order.test.ts).
 *
 * Notification groups the same way: the dispatcher's round (lib/notifications/dispatch.ts) and the
 * commands that wake a tenant's groups (wakeGroupsNow, when a silence or window ends early) lock the
 * groups they write in id order first (tests/notification-group-lock-order.test.ts).
 */
import "server-only";
import { asc, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { notificationGroups, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";

export type RowLock = "key share" | "no key update" | "update";

/** Locks the endpoints `where` selects, in id order; returns their ids in that order. */
export async function lockEndpointsInIdOrder(tx: Database, where: SQL, lock: RowLock): Promise<string[]> {
  const rows = await tx.select({ id: tunnelEndpoints.id }).from(tunnelEndpoints).where(where).orderBy(asc(tunnelEndpoints.id)).for(lock);
  return rows.map((row) => row.id);
}

/** Locks the tunnels `where` selects, in id order; returns their ids in that order. */
export async function lockTunnelsInIdOrder(tx: Database, where: SQL, lock: RowLock): Promise<string[]> {
  const rows = await tx.select({ id: tunnels.id }).from(tunnels).where(where).orderBy(asc(tunnels.id)).for(lock);
  return rows.map((row) => row.id);
}

/** Locks the tenants `where` selects, in id order; returns their ids in that order. */
export async function lockTenantsInIdOrder(tx: Database, where: SQL, lock: RowLock): Promise<string[]> {
  const rows = await tx.select({ id: tenants.id }).from(tenants).where(where).orderBy(asc(tenants.id)).for(lock);
  return rows.map((row) => row.id);
}

/** Locks the notification groups `where` selects, in id order; returns their ids in that order. */
export async function lockNotificationGroupsInIdOrder(tx: Database, where: SQL, lock: RowLock): Promise<string[]> {
  const rows = await tx.select({ id: notificationGroups.id }).from(notificationGroups).where(where).orderBy(asc(notificationGroups.id)).for(lock);
  return rows.map((row) => row.id);
}
