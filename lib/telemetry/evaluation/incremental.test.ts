/**
 * The incremental evaluation against the full one it replaced, on both databases: two identical
 * fleets get the same samples through ingest and the same configuration changes; one is
 * evaluated incrementally (only what is due), the other from scratch every round (its
 * evaluation records are wiped first, so every tenant is due, as every tenant was evaluated
 * every round before). After every round both must hold the same warnings, in the same states,
 * opened, cleared and resolved at the same moments, and the same tunnel statuses.
 *
 * The fleets meet every scenario the demo simulates, agents that stop and come back,
 * maintenance, a second tunnel added, thresholds changed, and warnings acknowledged.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenantEvaluations, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { sampleFor, type Scenario } from "@/lib/fleet/scenarios";
import { describeEachDatabase } from "@/tests/support/databases";
import { runWarningEvaluation } from "../evaluate-job";
import { ingestSamples } from "../ingest";
import { queryRows } from "../sql";
import { uuidArray } from "./due";
import { SampleWindows } from "./sample-windows";

const T0 = new Date("2026-11-20T10:00:00Z");
const MINUTE = 60_000;
const FACTS = { innerMtu: 1377, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.120.8.10" };

type Plan = {
  scenario: Scenario;
  /** Minutes during which an end sends nothing. */
  silent?: { side: "source" | "avs" | "both"; from: number; to: number };
  cutover?: string;
};
const PLANS: Plan[] = [
  { scenario: "healthy" },
  { scenario: "latency-creep" },
  { scenario: "asymmetric-path" },
  { scenario: "mtu-black-hole" },
  { scenario: "down" },
  { scenario: "broadcast-storm" },
  { scenario: "flapping" },
  { scenario: "healthy", silent: { side: "avs", from: 6, to: 40 } },
  { scenario: "healthy", silent: { side: "both", from: 8, to: 21 } },
  { scenario: "down", silent: { side: "source", from: 10, to: 14 } },
  { scenario: "healthy", cutover: "2026-11-10" },
];
const MINUTES = 36;

type Fleet = { tenantIds: string[]; endpoints: { tenantIndex: number; tunnelId: string; tenantId: string; endpointId: string; side: "source" | "avs"; seed: number }[] };

describeEachDatabase("incremental warning evaluation", ({ handle, kind }) => {
  let db: Database;
  let incremental: Fleet;
  let full: Fleet;

  async function createFleet(tag: string): Promise<Fleet> {
    const [cloud] = await db
      .insert(privateClouds)
      .values({ azureResourceId: `/subscriptions/s/resourceGroups/r/providers/Microsoft.AVS/privateClouds/inc-${tag}-${kind}`, subscriptionId: "s", resourceGroup: "r", name: `inc-${tag}`, region: "westeurope", networkBlock: "10.1.0.0/22" })
      .returning();
    const fleet: Fleet = { tenantIds: [], endpoints: [] };
    for (const [index, plan] of PLANS.entries()) {
      const [tenant] = await db
        .insert(tenants)
        .values({
          slug: `${tag}-${index}`,
          displayName: `${tag} ${index}`,
          privateCloudId: cloud!.id,
          sourceEnvironment: "kvm-proxmox",
          transport: "ipsec-vpn",
          subnet: `10.${index}.0.0/24`,
          gatewayLocation: "source",
          sourceGatewayUnderlayIp: FACTS.sourceUnderlayIp,
          plannedCutoverOn: plan.cutover ?? null,
          state: "active",
        })
        .returning();
      fleet.tenantIds.push(tenant!.id);
      await addTunnel(fleet, index, tenant!.id, 1);
    }
    return fleet;
  }

  async function addTunnel(fleet: Fleet, tenantIndex: number, tenantId: string, ordinal: number) {
    const [tunnel] = await db.insert(tunnels).values({ tenantId, ordinal, name: `t${ordinal}`, statusChangedAt: T0 }).returning();
    const ends = await db
      .insert(tunnelEndpoints)
      .values([
        { tunnelId: tunnel!.id, side: "source", hostname: `gw${ordinal}`, underlayIp: FACTS.sourceUnderlayIp },
        { tunnelId: tunnel!.id, side: "avs", hostname: `br${ordinal}`, underlayIp: FACTS.avsUnderlayIp },
      ])
      .returning();
    for (const e of ends) fleet.endpoints.push({ tenantIndex, tunnelId: tunnel!.id, tenantId, endpointId: e.id, side: e.side, seed: 1000 + tenantIndex * 10 + ordinal });
  }

  /** Every endpoint of the fleet posts its sample of `minute` + `second`, unless its plan silences it. */
  async function post(fleet: Fleet, at: Date) {
    const minute = (at.getTime() - T0.getTime()) / MINUTE;
    for (const e of fleet.endpoints) {
      const plan = PLANS[e.tenantIndex]!;
      const quiet = plan.silent && minute >= plan.silent.from && minute < plan.silent.to && (plan.silent.side === "both" || plan.silent.side === e.side);
      if (quiet) continue;
      const sample = sampleFor(plan.scenario, { side: e.side, tick: Math.round(minute * 2), at, seed: e.seed, tunnel: FACTS });
      const stored = await ingestSamples(db, { endpointId: e.endpointId, tunnelId: e.tunnelId, tenantId: e.tenantId, side: e.side, tokenUsed: "current" as const, tokenHash: "0".repeat(64) }, [sample], at);
      expect(stored).toMatchObject({ ok: true });
    }
  }

  /** The same change to one tenant of each fleet. */
  async function change(index: number, work: (fleet: Fleet, tenantId: string) => Promise<void>) {
    await work(incremental, incremental.tenantIds[index]!);
    await work(full, full.tenantIds[index]!);
  }

  /** A fleet's warnings and statuses, with its own ids and slugs taken out so the two compare. */
  async function stateOf(fleet: Fleet) {
    const rows = await db
      .select()
      .from(warnings)
      .where(inArray(warnings.tenantId, fleet.tenantIds))
      .orderBy(asc(warnings.tenantId), asc(warnings.dedupeKey), asc(warnings.openedAt));
    const tunnelRows = await db.select().from(tunnels).where(inArray(tunnels.tenantId, fleet.tenantIds)).orderBy(asc(tunnels.tenantId), asc(tunnels.ordinal));
    const tenantIndex = (id: string) => fleet.tenantIds.indexOf(id);
    const ordinal = new Map(tunnelRows.map((t) => [t.id, t.ordinal]));
    const neutral = (text: string) => {
      let out = text;
      for (const t of tunnelRows) out = out.replaceAll(t.id, `tunnel#${t.ordinal}`);
      fleet.tenantIds.forEach((id, i) => (out = out.replaceAll(id, `tenant#${i}`)));
      return out.replace(/\b(inc|full)-(\d+)\b/g, "tenant-$2");
    };
    return {
      warnings: rows
        .map((w) => ({
          tenant: tenantIndex(w.tenantId),
          tunnel: w.tunnelId ? ordinal.get(w.tunnelId) : null,
          key: neutral(w.dedupeKey),
          kind: w.kind,
          severity: w.severity,
          state: w.state,
          message: neutral(w.message),
          details: neutral(JSON.stringify(w.details)),
          openedAt: w.openedAt.toISOString(),
          clearSince: w.clearSince?.toISOString() ?? null,
          resolvedAt: w.resolvedAt?.toISOString() ?? null,
          acknowledgedAt: w.acknowledgedAt?.toISOString() ?? null,
        }))
        .sort((a, b) => a.tenant - b.tenant || a.key.localeCompare(b.key) || a.openedAt.localeCompare(b.openedAt)),
      statuses: tunnelRows
        .map((t) => ({ tenant: tenantIndex(t.tenantId), ordinal: t.ordinal, status: t.status, since: t.statusChangedAt.toISOString() }))
        .sort((a, b) => a.tenant - b.tenant || a.ordinal - b.ordinal),
    };
  }

  beforeAll(async () => {
    db = handle().db;
    incremental = await createFleet("inc");
    full = await createFleet("full");
  });

  it("opens, clears and resolves the same warnings at the same moments as evaluating every tenant every round, and sets the same statuses", async () => {
    // Kept between rounds as a console keeps them (sample-windows.test.ts checks them against fresh reads).
    const windows = new SampleWindows();
    let evaluatedIncrementally = 0;
    let evaluatedInFull = 0;
    for (let second = 0; second <= MINUTES * 60; second += 15) {
      const at = new Date(T0.getTime() + second * 1000);
      if (second % 30 === 0) {
        await post(incremental, at);
        await post(full, at);
      }
      const minute = second / 60;
      // Configuration changes, the same in both fleets.
      if (minute === 5) await change(3, async (_, id) => void (await db.update(tunnels).set({ maintenanceUntil: new Date(T0.getTime() + 12 * MINUTE) }).where(eq(tunnels.tenantId, id))));
      if (minute === 9) await change(0, (fleet, id) => addTunnel(fleet, 0, id, 2));
      // Both of this tenant's agents are silent then: only the configuration says anything changed.
      if (minute === 12) await change(8, async (_, id) => void (await db.update(tunnels).set({ maintenanceUntil: new Date(T0.getTime() + 16 * MINUTE) }).where(eq(tunnels.tenantId, id))));
      if (minute === 15) await change(1, async (_, id) => void (await db.update(tenants).set({ warningThresholds: { openAfterConsecutive: 5 } }).where(eq(tenants.id, id))));
      if (minute === 18) {
        await change(4, async (_, id) =>
          void (await db
            .update(warnings)
            .set({ state: "acknowledged", acknowledgedAt: at, acknowledgedBy: "operator@example.com" })
            .where(and(eq(warnings.tenantId, id), eq(warnings.state, "open")))),
        );
      }

      await db.delete(tenantEvaluations).where(inArray(tenantEvaluations.tenantId, full.tenantIds));
      const round = await runWarningEvaluation(db, { now: at, batchSize: 4, windows });
      expect(round.ran).toBe(true);
      const [{ n }] = (await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from tenant_evaluations where tenant_id = any(${uuidArray(incremental.tenantIds)}) and evaluated_at = ${at.toISOString()}::timestamptz`,
      )) as [{ n: number }];
      evaluatedIncrementally += n;
      evaluatedInFull += full.tenantIds.length;

      expect(await stateOf(incremental), `after the round at minute ${minute}`).toEqual(await stateOf(full));
    }
    // Not a vacuous comparison: warnings of most kinds came and went …
    const { warnings: seen } = await stateOf(incremental);
    const kinds = (states: string[]) => [...new Set(seen.filter((w) => states.includes(w.state)).map((w) => w.kind))].sort();
    expect(kinds(["open", "acknowledged"])).toEqual(
      ["asymmetric-routing", "broadcast-storm", "flapping", "latency-objective", "loss", "mac-flood", "pair-both-active", "path-mtu", "single-point-of-failure", "stale", "stretch-past-cutover", "tunnel-down"],
    );
    expect(kinds(["resolved"])).toEqual(["latency-objective", "mac-flood", "stale"]);
    // … and the incremental side did less: tenants whose agents are silent were left alone.
    expect(evaluatedIncrementally).toBeLessThan(evaluatedInFull);
    // 145 rounds of two fleets: seconds alone, minutes beside the rest of the suite on two cores.
  }, 300_000);
});
