/**
 * Offboarding writes every endpoint of the tenant while the agents' ingest writes a group of
 * endpoints: on PostgreSQL the two must lock the rows they share in one order, or each holds one
 * the other wants and PostgreSQL aborts one (SQLSTATE 40P01: the offboarding fails, or an agents'
 * batch is lost). Ingest locks its group in id order (tests/ingest-lock-order.test.ts);
 * offboarding used to update in the table's order and now locks in id order first
 * (lib/commands/lock-in-id-order.ts).
 *
 * The race is forced (tests/support/lock-race.ts): a test-only trigger pauses the
 * offboarding (instance A) at the first endpoint row its update reaches (that row is locked by
 * then), on an advisory lock the test holds; the ingest (instance B) starts only once A waits
 * there, and the advisory lock is released only once B waits on a row lock. The old statement
 * reaches the tenant's two endpoints in the opposite order to their ids (Y, the higher id, first;
 * checked in each test), so:
 * - in the table's order, A holds Y, B takes X and waits for Y, A then wants X: 40P01;
 * - in id order, A holds X and Y before its update starts, B waits for X holding nothing, and
 *   both finish. (Run against the command without the step, this test ends in 40P01.)
 * Unextend deletes the tunnel and its endpoints go by the cascade, in the same index order: the
 * same race, paused at the first endpoint deleted, ended in 40P01 before it locked them in id
 * order; now B waits, and then finds its ends gone.
 */
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import type { AgentPrincipal } from "@/lib/auth/agent";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import { removeTunnel } from "@/lib/commands/tunnels";
import { unextendStretch } from "@/lib/commands/unextend-stretch";
import type { Database } from "@/lib/db/client";
import { sqlState } from "@/lib/db/errors";
import { segments, telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { writeBatches } from "@/lib/telemetry/ingest";
import { insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace } from "./support/lock-race";

const NOW = new Date("2026-12-05T07:00:00Z");

describe.skipIf(inject("postgresUnavailable") !== null)("offboarding and ingest lock a tenant's endpoints in one order [postgres]", () => {
  /** Instance A pauses at the first endpoint it updates or deletes (a cascade's deletes too). */
  const lock = useLockRace({ table: "tunnel_endpoints", on: "update or delete" });

  const batch = (agent: AgentPrincipal) => ({ agent, samples: [{ measuredAt: new Date(NOW.getTime() - 60_000).toISOString(), rttMs: 7 }], now: NOW });

  it("control: updating the tenant's endpoints in the table's order deadlocks with ingest in this race", async () => {
    const { tunnelId, x, y } = await makeTenant(lock.a.db);
    // The old statement: every endpoint of the tenant's tunnels, as the scan reaches them.
    const tableOrder = async () =>
      await lock.a.db.transaction(async (tx) => tx.update(tunnelEndpoints).set({ agentTokenHash: null }).where(inArray(tunnelEndpoints.tunnelId, [tunnelId])));
    const outcomes = await lock.race(tableOrder, () => writeBatches(lock.b.db, [batch(x), batch(y)]));
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(failed.map((o) => sqlState(o.reason))).toEqual(["40P01"]);
  });

  it("offboarding and an agents' group touching the same endpoints both finish", async () => {
    const { tenantId, x, y } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => offboardTenant(lock.a.db, null, tenantId, NOW),
      () => writeBatches(lock.b.db, [batch(x), batch(y)]),
    );
    expect(outcomes).toEqual([
      { status: "fulfilled", value: { ok: true, state: "offboarded", quarantinedUntil: null } },
      { status: "fulfilled", value: [{ accepted: 1, duplicates: 0 }, { accepted: 1, duplicates: 0 }] },
    ]);
    // Both writes are there: the tokens are gone, and each end stored its sample.
    const ends = await lock.a.db.select({ hash: tunnelEndpoints.agentTokenHash, seq: tunnelEndpoints.samplesSeq }).from(tunnelEndpoints).where(inArray(tunnelEndpoints.id, [x.endpointId, y.endpointId]));
    expect(ends).toEqual([
      { hash: null, seq: 1 },
      { hash: null, seq: 1 },
    ]);
    const samples = await lock.a.db.select({ endpointId: telemetrySamples.endpointId }).from(telemetrySamples).where(inArray(telemetrySamples.endpointId, [x.endpointId, y.endpointId]));
    expect(samples).toHaveLength(2);
    const [tenant] = await lock.a.db.select({ state: tenants.state }).from(tenants).where(eq(tenants.id, tenantId));
    expect(tenant?.state).toBe("offboarded");
  });

  it("unextend retires the tunnel while an agents' group writes its ends: no deadlock, the group is refused as the ends are gone", async () => {
    const { tenantId, slug, cloudId, x, y } = await makeTenant(lock.a.db);
    // A cut-over tenant whose segment is ready: what unextend needs (its pre-checks overridden with a reason).
    await lock.a.db.update(tenants).set({ stretchStage: "cut-over" }).where(eq(tenants.id, tenantId));
    await lock.a.db.insert(segments).values({ tenantId, privateCloudId: cloudId, segmentName: `seg-${slug}`, displayName: slug, gatewayAddress: "10.1.0.1/24", state: "ready" });
    const outcomes = await lock.race(
      // The endpoints go by the tunnel's cascade: paused at the first one it deletes.
      () => unextendStretch(lock.a.db, null, { tenantId, confirmSlug: slug, reason: "lock order test" }, { secretsKey: new Uint8Array(32), consoleUrl: "https://bridgehead.example.com" }, NOW),
      () => writeBatches(lock.b.db, [batch(x), batch(y)]),
    );
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: { ok: true } });
    // The group waited for the unextend, then found its ends deleted: its samples have nothing to
    // belong to (a foreign-key refusal the agent's spool outlives), which is not a deadlock.
    expect(outcomes[1]?.status === "rejected" && sqlState(outcomes[1].reason)).toBe("23503");
    expect(await lock.a.db.select().from(tunnelEndpoints).where(inArray(tunnelEndpoints.id, [x.endpointId, y.endpointId]))).toEqual([]);
  });

  // Review (hygiene): removing one tunnel deletes its two ends by the same cascade as unextend,
  // in the (tunnel, side) index's order, and was left out of the id-order step.
  it("removing a tunnel while an agents' group writes its ends: no deadlock, the group is refused as the ends are gone", async () => {
    const { tunnelId, x, y } = await makeTenant(lock.a.db);
    const outcomes = await lock.race(
      () => removeTunnel(lock.a.db, null, tunnelId),
      () => writeBatches(lock.b.db, [batch(x), batch(y)]),
    );
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: { ok: true } });
    expect(outcomes[1]?.status === "rejected" && sqlState(outcomes[1].reason)).toBe("23503");
    expect(await lock.a.db.select().from(tunnelEndpoints).where(inArray(tunnelEndpoints.id, [x.endpointId, y.endpointId]))).toEqual([]);
  });

  // Review (hygiene): offboarding locked the endpoints before their tunnels, while removing a
  // tunnel (and unextend) lock the tunnel before its endpoints: the two deadlocked on one tunnel.
  it("offboarding a tenant while one of its tunnels is removed: both finish", async () => {
    const { tenantId, tunnelId } = await makeTenant(lock.a.db);
    // A pauses at its first endpoint update: in the old order it held both ends then, not the tunnel.
    const outcomes = await lock.race(
      () => offboardTenant(lock.a.db, null, tenantId, NOW),
      () => removeTunnel(lock.b.db, null, tunnelId),
    );
    expect(outcomes).toEqual([
      { status: "fulfilled", value: { ok: true, state: "offboarded", quarantinedUntil: null } },
      { status: "fulfilled", value: { ok: true } },
    ]);
    expect(await lock.a.db.select().from(tunnels).where(eq(tunnels.id, tunnelId))).toEqual([]);
  });
});

/**
 * A tenant with one tunnel whose two endpoints the old statement reaches in the opposite order to
 * their ids: Y (the higher id) is the source end and written first, so both a scan of the table
 * and the (tunnel, side) index reach it first.
 */
async function makeTenant(db: Database): Promise<{ tenantId: string; slug: string; cloudId: string; tunnelId: string; x: AgentPrincipal; y: AgentPrincipal }> {
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db
    .insert(tenants)
    .values({ slug: `lock-${suffix}`, displayName: "Lock order", privateCloudId: cloud.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "10.1.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.1" })
    .returning();
  const [tunnel] = await db.insert(tunnels).values({ tenantId: tenant!.id, ordinal: 1, name: "primary" }).returning();
  const [lowId, highId] = [randomUUID(), randomUUID()].sort();
  await db.insert(tunnelEndpoints).values({ id: highId!, tunnelId: tunnel!.id, side: "source", hostname: "gw-source", underlayIp: "198.51.100.1", agentTokenHash: randomUUID() });
  await db.insert(tunnelEndpoints).values({ id: lowId!, tunnelId: tunnel!.id, side: "avs", hostname: "gw-avs", underlayIp: "198.51.100.2", agentTokenHash: randomUUID() });
  // The race's premise, checked rather than assumed: the old statement, as planned here, reaches Y
  // first (RETURNING lists rows in the order the update took them); rolled back.
  const reached = await db
    .transaction(async (tx) => {
      const rows = await tx.update(tunnelEndpoints).set({ agentTokenHash: null }).where(inArray(tunnelEndpoints.tunnelId, [tunnel!.id])).returning({ id: tunnelEndpoints.id });
      throw new Rollback(rows.map((row) => row.id));
    })
    .catch((error: unknown) => {
      if (error instanceof Rollback) return error.ids;
      throw error;
    });
  expect(reached).toEqual([highId, lowId]);
  const principal = (endpointId: string, side: "source" | "avs"): AgentPrincipal => ({ endpointId, tunnelId: tunnel!.id, tenantId: tenant!.id, side, tokenUsed: "current", tokenHash: "0".repeat(64) });
  return { tenantId: tenant!.id, slug: tenant!.slug, cloudId: cloud.id, tunnelId: tunnel!.id, x: principal(lowId!, "avs"), y: principal(highId!, "source") };
}

class Rollback extends Error {
  constructor(readonly ids: string[]) {
    super("rolled back on purpose");
  }
}
