/**
 * The warning evaluation against a command on the same tenant (here the offboarding, since the
 * hygiene merge locking the tenant's tunnels in id order). The command locks the tenant row
 * first ("for update"), then the tenant's endpoints, tunnels and warnings. The evaluation used to
 * lock nothing of the tenant until its writes: the tunnels whose status changed (in the order its
 * plan reaches them: a scan of the table, whatever the ids), then the tenant row itself ("key
 * share", the foreign key of tenant_evaluations, or of a warning opened). Either way round, the
 * two lock the same rows in opposite orders, and PostgreSQL aborts one (40P01): an evaluation
 * batch lost, or the operator's offboarding failed. Id order alone does not help: the tenant row
 * is still taken last. The evaluation now locks its batch's tenants first.
 *
 * The race is forced (tests/support/lock-race.ts): a test-only trigger pauses the
 * evaluation (instance A) at the first tunnel row its status update reaches (locked by then),
 * on an advisory lock the test holds; the offboarding (instance B) starts once A waits there, and
 * the advisory lock is released once B waits on a row lock. The tunnels are in maintenance, so
 * the evaluation opens no warning (whose insert would have locked the tenant early, by chance).
 * Without the fix: B takes the tenant, then waits for a tunnel A holds; A then wants the other
 * tunnel or the tenant: 40P01. With it: B waits for the tenant holding nothing, and both finish.
 */
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace } from "./support/lock-race";

const NOW = new Date("2026-12-05T07:00:00Z");
/** Every rule is silent in a maintenance window: the evaluation opens no warning (whose insert would lock the tenant row first) and only moves the tunnels' status. */
const IN_MAINTENANCE = new Date(NOW.getTime() + 3_600_000);

describe.skipIf(inject("postgresUnavailable") !== null)("the evaluation's tunnel statuses and offboarding lock a tenant's tunnels in one order [postgres]", () => {
  /** Instance A pauses at the first tunnel its status update reaches. */
  const lock = useLockRace({ table: "tunnels", on: "update" });

  it("an evaluation that changes both tunnels' status and an offboarding of the tenant both finish", async () => {
    const { tenantId, first, second } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => runWarningEvaluation(lock.a.db, { now: NOW }),
      () => offboardTenant(lock.b.db, null, tenantId, NOW),
    );
    const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [String((o.reason as { cause?: { code?: string } }).cause?.code ?? o.reason)] : []));
    expect(failures).toEqual([]);
    expect(outcomes[0]).toMatchObject({ status: "fulfilled", value: { ran: true, statusChanges: 2 } });
    expect(outcomes[1]).toMatchObject({ status: "fulfilled", value: { ok: true } });
    // Both writes are there: the evaluation's statuses, and the offboarding's cleared keys.
    const rows = await lock.a.db.select({ id: tunnels.id, status: tunnels.status, psk: tunnels.pskCiphertext }).from(tunnels).where(inArray(tunnels.id, [first, second]));
    expect(rows.map((r) => [r.status, r.psk])).toEqual([
      ["maintenance", null],
      ["maintenance", null],
    ]);
  });
});

/**
 * An active tenant with two tunnels marked operational but in a maintenance window (so the
 * evaluation moves both to maintenance, and opens no warning): the first by ordinal has the higher id, so the evaluation's list reaches it
 * first and id order reaches it last.
 */
async function makeTenant(db: Database): Promise<{ tenantId: string; first: string; second: string }> {
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db
    .insert(tenants)
    .values({ slug: `eval-${suffix}`, displayName: "Evaluation lock order", privateCloudId: cloud.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "10.1.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.1", state: "active" })
    .returning();
  const [low, high] = [randomUUID(), randomUUID()].sort();
  await db.insert(tunnels).values({ id: high!, tenantId: tenant!.id, ordinal: 1, name: "primary", status: "operational", pskCiphertext: "x", maintenanceUntil: IN_MAINTENANCE });
  await db.insert(tunnels).values({ id: low!, tenantId: tenant!.id, ordinal: 2, name: "secondary", status: "operational", pskCiphertext: "x", maintenanceUntil: IN_MAINTENANCE });
  for (const [tunnelId, n] of [[high!, 1], [low!, 2]] as const) {
    await db.insert(tunnelEndpoints).values([
      { tunnelId, side: "source", hostname: `gw-source-${n}`, underlayIp: `198.51.100.${n}` },
      { tunnelId, side: "avs", hostname: `gw-avs-${n}`, underlayIp: `203.0.113.${n}` },
    ]);
  }
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenant!.id));
  return { tenantId: row!.id, first: high!, second: low! };
}
