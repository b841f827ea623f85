/**
 * Two console instances writing overlapping groups of agents' batches, in opposite orders, must
 * not deadlock on PostgreSQL: the ingest statement locks its endpoints in id order before it
 * updates them (lib/telemetry/ingest.ts, the `locked` step).
 *
 * Without the `locked` step the order rows are locked in is the plan's. Walking the group's rows
 * (a nested loop over the primary key, or a hash of a small table probed by the group) locks them
 * in the order the batches arrived; scanning the table (a 20,000-row table of fresh rows, 267
 * pages: the group hashed, the table scanned) in the table's order. The planner picks the first
 * on a bloated fleet-sized table and on these tests' tiny one. The tests race the statements
 * with that plan pinned (hash and merge joins off in both instances' sessions) and with the
 * planner's own choice.
 *
 * The race is forced, not waited for by chance (tests/support/lock-race.ts). A test-only trigger pauses instance A at the
 * first endpoint row its update reaches (the row is already locked then), on an advisory lock
 * the test holds. Instance B starts only once A waits there, and the advisory lock is released
 * only once B waits on a row lock. Then:
 * - locked in the order the batches arrived (A: Y then X, B: X then Y), A holds Y and B holds X,
 *   each wants the other's, and PostgreSQL aborts one of them (SQLSTATE 40P01);
 * - locked in id order (`for no key update` above a sort by id, in the statement's own CTE), A
 *   takes X before Y whatever its batches' order, B waits for X holding nothing, and both
 *   groups are stored. (Run against the statement without the step, both races end in 40P01.)
 */
import { and, inArray, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import { sqlState } from "@/lib/db/errors";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { writeBatches } from "@/lib/telemetry/ingest";
import { insertPrivateCloud } from "./support/fleet-rows";
import { useLockRace, type Instances } from "./support/lock-race";

const NOW = new Date("2026-11-21T12:00:00Z");

describe.skipIf(inject("postgresUnavailable") !== null)("two instances' ingest groups lock endpoints in one order [postgres]", () => {
  /** Instance A pauses at the first endpoint its update reaches. */
  const lock = useLockRace({ table: "tunnel_endpoints", on: "update" });
  /** Instances A and B with the fleet-scale plan (a nested loop over the primary key), and with the planner's own choice. */
  let nested: Instances;
  let chosen: Instances;

  beforeAll(async () => {
    chosen = { a: lock.a, b: lock.b };
    nested = await lock.openInstances("-c enable_hashjoin=off -c enable_mergejoin=off");
  });

  const batch = (agent: AgentPrincipal, minute: number) => ({ agent, samples: [{ measuredAt: new Date(NOW.getTime() - minute * 60_000).toISOString(), rttMs: minute }], now: NOW });

  it("control: an update that locks in the order the batches arrived deadlocks in this race", async () => {
    const [x, y] = await makeEnds(nested.a.db);
    // The old statement's shape: the join with the group's rows decides the lock order.
    // (async: a drizzle query runs each time it is awaited, and the race awaits it twice.)
    const arrivalOrder = async (db: Database, ids: string[]) =>
      await db.execute(sql`update tunnel_endpoints t set samples_seq = t.samples_seq + 1 from json_to_recordset(${JSON.stringify(ids.map((id) => ({ id })))}::json) as e(id uuid) where t.id = e.id`);
    const outcomes = await lock.race(
      () => arrivalOrder(nested.a.db, [y.endpointId, x.endpointId]),
      () => arrivalOrder(nested.b.db, [x.endpointId, y.endpointId]),
    );
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(failed.map((o) => sqlState(o.reason))).toEqual(["40P01"]);
  });

  for (const plan of ["fleet-scale plan (nested loop)", "planner's own plan"] as const) {
    it(`stores both groups: the ingest statement locks its endpoints in id order whatever order its batches came in (${plan})`, async () => {
      const { a, b } = plan === "planner's own plan" ? chosen : nested;
      const [x, y] = await makeEnds(a.db);
      const minute = 10;
      const outcomes = await lock.race(
        () => writeBatches(a.db, [batch(y, minute), batch(x, minute)]),
        () => writeBatches(b.db, [batch(x, minute - 1), batch(y, minute - 1)]),
      );
      expect(outcomes).toEqual([
        { status: "fulfilled", value: [{ accepted: 1, duplicates: 0 }, { accepted: 1, duplicates: 0 }] },
        { status: "fulfilled", value: [{ accepted: 1, duplicates: 0 }, { accepted: 1, duplicates: 0 }] },
      ]);
      // Each end stored both instances' samples and counted both writes as news.
      const samples = await a.db
        .select({ endpointId: telemetrySamples.endpointId, rttMs: telemetrySamples.rttMs })
        .from(telemetrySamples)
        .where(and(inArray(telemetrySamples.endpointId, [x.endpointId, y.endpointId]), inArray(telemetrySamples.rttMs, [minute, minute - 1])));
      for (const end of [x, y]) expect(samples.filter((s) => s.endpointId === end.endpointId).map((s) => s.rttMs).sort((p, q) => p! - q!)).toEqual([minute - 1, minute]);
      const ends = await a.db
        .select({ id: tunnelEndpoints.id, seq: tunnelEndpoints.samplesSeq, at: tunnelEndpoints.lastSampleAt })
        .from(tunnelEndpoints)
        .where(inArray(tunnelEndpoints.id, [x.endpointId, y.endpointId]));
      expect(ends).toHaveLength(2);
      for (const end of ends) expect(end).toMatchObject({ seq: 2, at: new Date(NOW.getTime() - (minute - 1) * 60_000) });
    });
  }

});

/** Two ends of one tunnel, in id order. */
async function makeEnds(db: Database): Promise<[AgentPrincipal, AgentPrincipal]> {
  const suffix = randomUUID().slice(0, 8);
  const cloud = await insertPrivateCloud(db, suffix);
  const [tenant] = await db
    .insert(tenants)
    .values({ slug: `lock-${suffix}`, displayName: "Lock order", privateCloudId: cloud.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "10.1.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.1" })
    .returning();
  const [tunnel] = await db.insert(tunnels).values({ tenantId: tenant!.id, ordinal: 1, name: "primary" }).returning();
  const ends = await db
    .insert(tunnelEndpoints)
    .values([
      { tunnelId: tunnel!.id, side: "source", hostname: "gw-source", underlayIp: "198.51.100.1" },
      { tunnelId: tunnel!.id, side: "avs", hostname: "gw-avs", underlayIp: "198.51.100.2" },
    ])
    .returning();
  const principals = ends.map((end) => ({ endpointId: end.id, tunnelId: tunnel!.id, tenantId: tenant!.id, side: end.side, tokenUsed: "current" as const, tokenHash: "0".repeat(64) }));
  principals.sort((p, q) => (p.endpointId < q.endpointId ? -1 : 1));
  return [principals[0]!, principals[1]!];
}
