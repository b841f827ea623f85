/**
 * Silences and maintenance windows: the two ways to say "quiet". A silence mutes notifications
 * (its owner's rules only); a maintenance window is planned work on a tenant or tunnel, which
 * every view shows (the tunnel status is "maintenance") and which mutes every rule. Both start
 * now or later, end by themselves, and can be ended early; who and why are kept.
 */
import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { maintenanceWindows, notificationSilences, tenants, tunnels } from "@/lib/db/schema";
import { syncTunnelMaintenance } from "@/lib/notifications/maintenance-windows";
import { timeParam } from "@/lib/telemetry/sql";
import type { CommandRefusal } from "./result";
import { wakeGroupsNow } from "./notification-rules";

const fieldRefusal = (field: string, message: string): CommandRefusal => ({ ok: false, status: 400, message: "Some fields need attention.", errors: { [field]: [message] } });

type Scope = { tenantSlug?: string; tunnelId?: string };

/** The tenant and tunnel a form names, checked together: a tunnel of another tenant is refused as missing. */
async function resolveScope(db: Database, scope: Scope): Promise<{ tenantId: string | null; tunnelId: string | null } | CommandRefusal> {
  let tenantId: string | null = null;
  if (scope.tenantSlug) {
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, scope.tenantSlug));
    if (!tenant) return fieldRefusal("tenantSlug", "No such tenant.");
    tenantId = tenant.id;
  }
  if (!scope.tunnelId) return { tenantId, tunnelId: null };
  const [tunnel] = await db.select({ id: tunnels.id, tenantId: tunnels.tenantId }).from(tunnels).where(eq(tunnels.id, scope.tunnelId));
  if (!tunnel || (tenantId !== null && tunnel.tenantId !== tenantId)) return fieldRefusal("tunnelId", "Choose one of this tenant's tunnels.");
  return { tenantId: tenantId ?? tunnel.tenantId, tunnelId: tunnel.id };
}

type Period = { startsAt?: Date; durationHours: number; reason: string };

function window(period: Period, now: Date): { startsAt: Date; endsAt: Date } {
  const startsAt = period.startsAt ?? now;
  return { startsAt, endsAt: new Date(startsAt.getTime() + period.durationHours * 3600_000) };
}

export async function createSilence(
  db: Database,
  actor: Principal,
  owner: string | null,
  input: Scope & Period & { kind?: string },
  now = new Date(),
): Promise<{ ok: true; silenceId: string } | CommandRefusal> {
  const scope = await resolveScope(db, input);
  if ("ok" in scope) return scope;
  // A tenant's silence is about that tenant, whatever the form said.
  if (owner !== null && scope.tenantId !== null && scope.tenantId !== owner) return fieldRefusal("tunnelId", "Choose one of this tenant's tunnels.");
  const { startsAt, endsAt } = window(input, now);
  if (endsAt <= now) return fieldRefusal("startsAt", "This silence would already be over; start it later or make it longer.");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationSilences)
      .values({ ownerTenantId: owner, tenantId: owner ?? scope.tenantId, tunnelId: scope.tunnelId, kind: input.kind ?? null, startsAt, endsAt, reason: input.reason, createdBy: actorName(actor) })
      .returning();
    await recordAudit(tx, actor, { action: "silence.create", entityType: "silence", entityId: row!.id, tenantId: row!.tenantId, after: row });
    return { ok: true as const, silenceId: row!.id };
  });
}

export async function endSilence(db: Database, actor: Principal, id: string, now = new Date()): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(notificationSilences)
      // One that had not started ends before it began (the constraint wants end > start).
      .set({ endsAt: now, startsAt: sql`least(${notificationSilences.startsAt}, ${timeParam(new Date(now.getTime() - 1))})`, endedBy: actorName(actor) })
      .where(and(eq(notificationSilences.id, id), gt(notificationSilences.endsAt, now)))
      .returning();
    if (!row) return { ok: false as const, status: 409 as const, message: "This silence has already ended." };
    await wakeGroupsNow(tx, row.tenantId, now);
    await recordAudit(tx, actor, { action: "silence.end", entityType: "silence", entityId: row.id, tenantId: row.tenantId, after: { endsAt: now } });
    return { ok: true as const };
  });
}

export async function createMaintenanceWindow(
  db: Database,
  actor: Principal,
  input: Scope & Period,
  now = new Date(),
): Promise<{ ok: true; windowId: string } | CommandRefusal> {
  const scope = await resolveScope(db, input);
  if ("ok" in scope) return scope;
  if (!scope.tenantId) return fieldRefusal("tenantSlug", "Choose a tenant.");
  const { startsAt, endsAt } = window(input, now);
  if (endsAt <= now) return fieldRefusal("startsAt", "This window would already be over; start it later or make it longer.");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(maintenanceWindows)
      .values({ tenantId: scope.tenantId!, tunnelId: scope.tunnelId, startsAt, endsAt, reason: input.reason, createdBy: actorName(actor) })
      .returning();
    // A window that starts now shows on the tiles at the next evaluation, not a dispatcher round later.
    await syncTunnelMaintenance(tx, now);
    await recordAudit(tx, actor, { action: "maintenance.create", entityType: "maintenance-window", entityId: row!.id, tenantId: row!.tenantId, after: row });
    return { ok: true as const, windowId: row!.id };
  });
}

export async function endMaintenanceWindow(db: Database, actor: Principal, id: string, now = new Date()): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(maintenanceWindows)
      .set({ endsAt: now, startsAt: sql`least(${maintenanceWindows.startsAt}, ${timeParam(new Date(now.getTime() - 1))})`, endedBy: actorName(actor) })
      .where(and(eq(maintenanceWindows.id, id), gt(maintenanceWindows.endsAt, now)))
      .returning();
    if (!row) return { ok: false as const, status: 409 as const, message: "This window has already ended." };
    await syncTunnelMaintenance(tx, now);
    await wakeGroupsNow(tx, row.tenantId, now);
    await recordAudit(tx, actor, { action: "maintenance.end", entityType: "maintenance-window", entityId: row.id, tenantId: row.tenantId, after: { endsAt: now } });
    return { ok: true as const };
  });
}

export async function findTenantIdBySilence(id: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ owner: notificationSilences.ownerTenantId }).from(notificationSilences).where(eq(notificationSilences.id, id));
  return row?.owner ?? null;
}
