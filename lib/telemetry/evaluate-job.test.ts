/**
 * The evaluation job against a real database (PGlite and PostgreSQL): samples in, warnings and
 * tunnel statuses out, through the same rules and lifecycle the console runs.
 */
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { EVALUATION_LOCK, runWarningEvaluation } from "./evaluate-job";
import { ingestSamples } from "./ingest";
import { workloadsMostlyIn } from "./evaluation/inputs";

const T0 = new Date("2026-11-20T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe("workloadsMostlyIn", () => {
  it.each([
    [{ source: 40, avs: 3 }, "source"],
    [{ source: 2, avs: 30 }, "avs"],
    [{ source: 10, avs: 8 }, "unknown"],
    [{ source: 1, avs: 2 }, "unknown"],
    [{ source: null, avs: 30 }, "unknown"],
  ] as const)("%j → %s", (macs, expected) => {
    expect(workloadsMostlyIn(macs)).toBe(expected);
  });
});

describeEachDatabase("warning evaluation job", ({ handle, kind }) => {
  let db: Database;
  let tenantId: string;
  let tunnelId: string;
  const endpoint: Record<"source" | "avs", string> = { source: "", avs: "" };

  /**
   * 30 s samples from both ends between two times, shaped by `shape`, through the ingest path's
   * own writer (it also tells the evaluation which endpoints have news).
   */
  async function post(fromS: number, toS: number, shape: (t: number) => { rttMs: number | null; lossPct: number }) {
    for (const side of ["source", "avs"] as const) {
      const samples = [];
      for (let t = fromS; t < toS; t += 30) samples.push({ measuredAt: at(t).toISOString(), ...shape(t), jitterMs: 0.4 });
      const agent = { endpointId: endpoint[side], tunnelId, tenantId, side, tokenUsed: "current" as const, tokenHash: "0".repeat(64) };
      expect(await ingestSamples(db, agent, samples, at(toS))).toMatchObject({ ok: true, accepted: samples.length });
    }
  }
  const statusOf = async () => (await db.select({ status: tunnels.status }).from(tunnels).where(eq(tunnels.id, tunnelId)))[0]!.status;
  const warningsOf = async (kind: string) => db.select().from(warnings).where(eq(warnings.kind, kind));

  beforeAll(async () => {
    db = handle().db;
    const [cloud] = await db
      .insert(privateClouds)
      .values({ azureResourceId: `/subscriptions/s/resourceGroups/r/providers/Microsoft.AVS/privateClouds/eval-${kind}`, subscriptionId: "s", resourceGroup: "r", name: "eval", region: "westeurope", networkBlock: "10.1.0.0/22" })
      .returning();
    const [tenant] = await db
      .insert(tenants)
      .values({
        slug: "eval",
        displayName: "Eval",
        privateCloudId: cloud!.id,
        sourceEnvironment: "bare-metal",
        transport: "expressroute-global-reach",
        subnet: "192.168.77.0/24",
        gatewayLocation: "source",
        sourceGatewayUnderlayIp: "198.51.100.1",
        latencyObjectiveMs: 20,
        state: "active",
      })
      .returning();
    tenantId = tenant!.id;
    const [tunnel] = await db.insert(tunnels).values({ tenantId, ordinal: 1, name: "primary" }).returning();
    tunnelId = tunnel!.id;
    const ends = await db
      .insert(tunnelEndpoints)
      .values([
        { tunnelId, side: "source", hostname: "gw", underlayIp: "198.51.100.1" },
        { tunnelId, side: "avs", hostname: "br", underlayIp: "10.1.8.1" },
      ])
      .returning();
    for (const e of ends) endpoint[e.side] = e.id;
  });

  it("a tunnel that never reported is stale, and says so", async () => {
    const round = await runWarningEvaluation(db, { now: T0 });
    expect(round).toMatchObject({ ran: true, tenants: 1, tunnels: 1 });
    expect(await statusOf()).toBe("stale");
  });

  it("healthy samples make it operational with no tunnel warning", async () => {
    await post(0, 600, () => ({ rttMs: 12, lossPct: 0 }));
    await runWarningEvaluation(db, { now: at(600) });
    expect(await statusOf()).toBe("operational");
    expect(await warningsOf("loss")).toEqual([]);
    expect(await warningsOf("tunnel-down")).toEqual([]);
  });

  it("total loss from both ends opens one tunnel-down warning and turns the tunnel down; a second round does not open another", async () => {
    await post(600, 780, () => ({ rttMs: null, lossPct: 100 }));
    await runWarningEvaluation(db, { now: at(780) });
    await runWarningEvaluation(db, { now: at(790) });
    expect(await statusOf()).toBe("down");
    const down = await warningsOf("tunnel-down");
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ state: "open", severity: "critical", tunnelId, tenantId });
    expect(down[0]!.message).toMatch(/loss|down/i);
  });

  it("recovery turns the tile green at once, and the warning resolves only after staying clear", async () => {
    await post(780, 960, () => ({ rttMs: 12, lossPct: 0 }));
    await runWarningEvaluation(db, { now: at(960) });
    expect(await statusOf()).toBe("operational");
    const [cleared] = await warningsOf("tunnel-down");
    expect(cleared).toMatchObject({ state: "open", clearSince: at(960) });

    await post(960, 960 + 11 * 60, () => ({ rttMs: 12, lossPct: 0 }));
    await runWarningEvaluation(db, { now: at(960 + 11 * 60) });
    const [resolved] = await warningsOf("tunnel-down");
    expect(resolved).toMatchObject({ state: "resolved", resolvedBy: "system", resolvedAt: at(960 + 11 * 60) });
  });

  it("a round with nothing new evaluates nobody, and new samples make only their tenant due", async () => {
    // Evaluated at this instant by the test before: nothing arrived and no deadline passed.
    // (A moment later the oldest sample leaves the window, and that makes it due again.)
    expect(await runWarningEvaluation(db, { now: at(960 + 11 * 60) })).toMatchObject({ ran: true, due: 0, tenants: 0, tunnels: 0 });
    await post(960 + 11 * 60, 960 + 11 * 60 + 30, () => ({ rttMs: 12, lossPct: 0 }));
    expect(await runWarningEvaluation(db, { now: at(960 + 11 * 60 + 30) })).toMatchObject({ ran: true, due: 1, tenants: 1, tunnels: 1 });
  });

  it("a tenant with one tunnel gets the single-point-of-failure warning, not a red tile", async () => {
    const spof = await warningsOf("single-point-of-failure");
    expect(spof).toHaveLength(1);
    expect(spof[0]!.tunnelId).toBeNull();
    expect(await statusOf()).toBe("operational");
  });

  it("skips a tenant whose stored thresholds are invalid, and names it", async () => {
    await db.update(tenants).set({ warningThresholds: { lossWarningPct: -5 } }).where(eq(tenants.id, tenantId));
    const round = await runWarningEvaluation(db, { now: at(2000) });
    await db.update(tenants).set({ warningThresholds: {} }).where(eq(tenants.id, tenantId));
    expect(round).toMatchObject({ ran: true, skippedTenants: [{ slug: "eval", reason: expect.stringMatching(/Invalid warning thresholds/) }] });
  });

  it.runIf(kind === "postgres")("runs once across instances: a round while another instance holds the lock is skipped", async () => {
    // Another instance mid-round: its transaction holds the evaluation lock.
    await db.transaction(async (other) => {
      await other.execute(sql`select pg_advisory_xact_lock(${EVALUATION_LOCK}::bigint)`);
      expect(await runWarningEvaluation(db, { now: at(2100) })).toEqual({ ran: false });
    });
    expect(await runWarningEvaluation(db, { now: at(2100) })).toMatchObject({ ran: true });
  });
});
