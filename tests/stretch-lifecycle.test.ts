/**
 * A stretch's end against the AVS emulator, on PGlite and on PostgreSQL: plan, cut over,
 * roll back, cut over again, unextend, with a 429, a failed Azure operation and a restart of the
 * console and the emulator on the way. The telemetry the pre-checks judge arrives through the
 * real ingest, the job is the real provisioning job, Azure is reached through the real SDK.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAvsClient } from "@/lib/avs/client";
import { EMULATOR_RESOURCE_GROUP, startAvsEmulator, type AvsEmulator } from "@/lib/avs/emulator/server";
import { runProvisioningOnce } from "@/lib/avs/provisioning";
import { syncPrivateClouds } from "@/lib/avs/sync";
import { authenticateAgent } from "@/lib/auth/agent";
import type { Principal } from "@/lib/auth/permissions";
import { hashToken } from "@/lib/auth/tokens";
import { offboardAfterChecks } from "@/lib/commands/offboard-after-checks";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { planCutover } from "@/lib/commands/plan-cutover";
import { retrySegment } from "@/lib/commands/retry-segment";
import { rollBackCutover, startCutover } from "@/lib/commands/start-cutover";
import { addTunnel } from "@/lib/commands/tunnels";
import { unextendStretch } from "@/lib/commands/unextend-stretch";
import type { Database } from "@/lib/db/client";
import { auditEvents, notificationEvents, privateClouds, segments, stretchFiles, tenants, tunnelEndpoints, tunnels, vlanAllocations, warnings } from "@/lib/db/schema";
import { listStretchTimeline } from "@/lib/queries/stretch";
import { decryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { addTunnelInput } from "@/lib/validation/tunnel";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { describeEachDatabase } from "./support/databases";

const CLOUD = "avs-weu-01";
const TIER1 = "TNT42-T1";
/** Due at once, short backoffs: the test drives real time, as the server's loop would. */
const FAST = { pollMs: 0, driftCheckMs: 60_000, backoffBaseMs: 50, backoffMaxMs: 200, maxTransientAttempts: 3 };
const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };

const vmware = (n: number) => Array.from({ length: n }, (_, i) => `00:50:56:a1:00:${(i + 1).toString(16).padStart(2, "0")}`);
const kvm = (n: number) => Array.from({ length: n }, (_, i) => `52:54:00:3c:00:${(i + 1).toString(16).padStart(2, "0")}`);
const ROUTER = "00:1b:54:c2:10:01";

describeEachDatabase("the end of a stretch, against the AVS emulator", ({ handle, kind }) => {
  let dir: string;
  let emulator: AvsEmulator;
  let avs: AzureVMwareSolutionAPI;
  let db: Database;
  let cloudId: string;
  const secretsKey = randomBytes(32);

  async function startEmulator(port = 0) {
    emulator = await startAvsEmulator({ stateFile: path.join(dir, "avs.json"), port, operationMs: 400, token: "test-token" });
    avs = createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token }, { retries: "caller" });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `bridgehead-stretch-${kind}-`));
    await startEmulator();
    db = handle().db;
    await syncPrivateClouds(db, avs, { subscriptionId: emulator.subscriptionId });
    cloudId = (await db.select().from(privateClouds).where(eq(privateClouds.name, CLOUD)))[0]!.id;
  });

  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the job (as the server's loop would) until the condition holds; the bound only ends a test that would hang. */
  async function runJobUntil(done: () => Promise<boolean>, worker = "worker-a") {
    const deadline = Date.now() + 60_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error("the job did not get there in 60 s");
      await runProvisioningOnce(db, avs, worker, { timing: FAST });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const tenantRow = async (id: string) => (await db.select().from(tenants).where(eq(tenants.id, id)))[0]!;
  const segmentRow = async (id: string) => (await db.select().from(segments).where(eq(segments.tenantId, id)))[0]!;
  const stageIs = (id: string, stage: string) => async () => (await tenantRow(id)).stretchStage === stage;

  /** A tenant whose segment is ready in Azure, with one tunnel whose agents report. */
  async function stretchedTenant(slug: string, octet: number) {
    const onboarded = await onboardTenant(
      db,
      ADMIN,
      onboardTenantInput.parse({
        privateCloudId: cloudId,
        slug,
        displayName: `Stretch ${slug}`,
        contacts: [{ name: "Ada", email: "ada@example.com" }],
        sourceEnvironment: "kvm-proxmox",
        transport: "expressroute-global-reach",
        subnet: `192.168.${octet}.0/24`,
        gatewayLocation: "source",
        sourceGatewayUnderlayIp: "198.51.100.10",
      }),
    );
    if (!onboarded.ok) throw new Error(onboarded.message);
    await runJobUntil(async () => (await segmentRow(onboarded.tenantId)).state === "ready");
    const added = await addTunnel(
      db,
      ADMIN,
      addTunnelInput.parse({ tenantId: onboarded.tenantId, name: "primary", source: { hostname: `${slug}-gw1`, underlayIp: "198.51.100.10" }, avs: { hostname: `${slug}-bridge1`, underlayIp: "10.120.8.10" } }),
      secretsKey,
    );
    if (!added.ok) throw new Error(added.message);
    const ends = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, added.tunnelId));
    const end = (side: "source" | "avs") => ends.find((e) => e.side === side)!;
    return { tenantId: onboarded.tenantId, tunnelId: added.tunnelId, gateway: `192.168.${octet}.1`, source: end("source"), avs: end("avs") };
  }

  type Stretched = Awaited<ReturnType<typeof stretchedTenant>>;

  /**
   * Three minutes of reports from both ends, as agents send them every 30 s: who each bridge
   * learned on its own side and through the tunnel, and who answers for the gateway address.
   */
  async function report(t: Stretched, where: { source: string[]; avs: string[]; gatewayAnsweredBy: string[] }) {
    const now = Date.now();
    for (const end of [t.source, t.avs]) {
      const local = end.side === "source" ? where.source : where.avs;
      const remote = end.side === "source" ? where.avs : where.source;
      const samples: TelemetrySample[] = Array.from({ length: 6 }, (_, i) => ({
        measuredAt: new Date(now - (5 - i) * 30_000).toISOString(),
        rttMs: 11 + i / 10,
        jitterMs: 0.4,
        lossPct: 0,
        counters: { txBytes: 1_000_000 + i * 50_000, rxBytes: 2_000_000 + i * 50_000, txPackets: 1000 + i * 50, rxPackets: 2000 + i * 50 },
        learnedMacs: local.length,
        macs: { local, tunnel: remote, truncated: false },
        gatewayProbe: { address: t.gateway, answeredBy: end.side === "source" ? where.gatewayAnsweredBy : [] },
      }));
      const agent = { endpointId: end.id, tunnelId: t.tunnelId, tenantId: t.tenantId, side: end.side, tokenUsed: "current" as const, tokenHash: end.agentTokenHash! };
      const stored = await ingestSamples(db, agent, samples, new Date(now));
      if (!stored.ok) throw new Error(JSON.stringify(stored.fields));
    }
    // The evaluation judges the tunnel from those samples, as it does every 15 s in the console.
    await runWarningEvaluation(db);
  }

  const segmentInAzure = (name: string) => emulator.segments(EMULATOR_RESOURCE_GROUP, CLOUD).filter((s) => s.name === name);
  const patches = () => emulator.requestLog.filter((r) => r.method === "PATCH");

  it("cut over, roll back, cut over again and unextend, through a 429, a failed operation and a restart; the audit tells the story", async () => {
    const t = await stretchedTenant(`story-${kind}`, kind === "pglite" ? 61 : 62);
    const segmentName = (await segmentRow(t.tenantId)).segmentName;
    const sourceToken = await decryptSecret(t.source.agentTokenCiphertext!, secretsKey, SECRET_PURPOSE.agentToken);

    // Plan. Two workloads still at the source, fourteen in AVS; the source router still holds the gateway.
    expect(await planCutover(db, ADMIN, { tenantId: t.tenantId, gatewayAddress: t.gateway, tier1Id: TIER1, plannedCutoverOn: "2026-12-01", sourceInterface: "eth1.110" })).toEqual({ ok: true });
    await report(t, { source: [...kvm(2), ROUTER], avs: vmware(14), gatewayAnsweredBy: [ROUTER] });

    // Refused while the router answers for the address: the step names the check; nothing moves.
    const refused = await startCutover(db, ADMIN, { tenantId: t.tenantId });
    expect(refused).toMatchObject({ ok: false, status: 409, message: expect.stringContaining(`Planned gateway address free (warn): ${ROUTER} at the source site still answers for ${t.gateway}`) });
    expect((await tenantRow(t.tenantId)).stretchStage).toBe("cutover-planned");
    expect((await segmentRow(t.tenantId)).state).toBe("ready");

    // The router lets the address go (the cut-over file); the next reports say nobody answers.
    await report(t, { source: [...kvm(2), ROUTER], avs: vmware(14), gatewayAnsweredBy: [] });
    expect(await startCutover(db, ADMIN, { tenantId: t.tenantId })).toEqual({ ok: true });
    expect(await tenantRow(t.tenantId)).toMatchObject({ stretchStage: "cutting-over", gatewayLocation: "source" });

    // Azure throttles the PATCH: the job waits exactly as long as Retry-After says.
    emulator.faults.add({ kind: "throttle", method: "PATCH", pathIncludes: `/segments/${segmentName}`, retryAfterSeconds: 7 });
    const before = Date.now();
    await runProvisioningOnce(db, avs, "worker-a", { timing: FAST });
    const throttled = await segmentRow(t.tenantId);
    expect(throttled).toMatchObject({ state: "updating", lastError: expect.stringMatching(/^Azure answered 429 TooManyRequests/), operationState: null });
    expect(throttled.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 7_000);
    expect(patches().map((r) => r.status)).toEqual([429]);
    await db.update(segments).set({ nextAttemptAt: new Date() }).where(eq(segments.id, throttled.id));

    // The PATCH goes out and its operation is recorded; then the console and the emulator restart.
    await runProvisioningOnce(db, avs, "worker-a", { timing: FAST });
    const inFlight = await segmentRow(t.tenantId);
    expect(inFlight).toMatchObject({ state: "updating", operationState: expect.any(String) });
    expect(patches().map((r) => r.status)).toEqual([429, 202]);
    const port = Number(new URL(emulator.url).port);
    await emulator.close();
    await startEmulator(port);
    await runJobUntil(stageIs(t.tenantId, "cut-over"), "worker-after-restart");
    // The recorded operation was polled to its end; no second PATCH was sent after the restart.
    expect(emulator.requestLog.some((r) => r.method === "GET" && r.path.includes("/operationStatuses/"))).toBe(true);
    expect(patches()).toEqual([]);
    expect(await tenantRow(t.tenantId)).toMatchObject({ stretchStage: "cut-over", gatewayLocation: "avs" });
    expect(segmentInAzure(segmentName)).toEqual([
      expect.objectContaining({ connectedGateway: `/infra/tier-1s/${TIER1}`, gatewayAddress: `${t.gateway}/24`, provisioningState: "Succeeded" }),
    ]);

    // Roll back: the segment is put back without a gateway; the stage returns to "planned".
    expect(await rollBackCutover(db, ADMIN, { tenantId: t.tenantId, reason: "An appliance pins the old gateway's MAC; fix it first" })).toEqual({ ok: true });
    await runJobUntil(stageIs(t.tenantId, "cutover-planned"));
    expect(await tenantRow(t.tenantId)).toMatchObject({ gatewayLocation: "source" });
    expect(segmentInAzure(segmentName)).toEqual([expect.objectContaining({ connectedGateway: null, gatewayAddress: null, provisioningState: "Succeeded" })]);

    // Cut over again; this time NSX-T fails the operation. Azure's reason is kept, the stage holds.
    await report(t, { source: [...kvm(1), ROUTER], avs: vmware(15), gatewayAnsweredBy: [] });
    emulator.faults.add({ kind: "fail-operation", method: "PATCH", pathIncludes: `/segments/${segmentName}` });
    expect(await startCutover(db, ADMIN, { tenantId: t.tenantId })).toEqual({ ok: true });
    await runJobUntil(async () => (await segmentRow(t.tenantId)).state === "failed");
    expect(await segmentRow(t.tenantId)).toMatchObject({ lastError: expect.stringContaining(`The update of segment '${segmentName}' failed in NSX-T`), gatewayAddress: `${t.gateway}/24` });
    expect((await tenantRow(t.tenantId)).stretchStage).toBe("cutting-over");
    expect(segmentInAzure(segmentName)).toEqual([expect.objectContaining({ connectedGateway: null, provisioningState: "Failed" })]);
    expect(await retrySegment(db, ADMIN, (await segmentRow(t.tenantId)).id)).toEqual({ ok: true });
    await runJobUntil(stageIs(t.tenantId, "cut-over"));

    // Azure's operations on the segment, in order: the onboarding's create, one gateway set per
    // cut-over it carried out (the throttled PATCH and the restart added none), the failed
    // attempt, the retry; the rollback's replace of a healthy segment is applied at once (200),
    // with no operation. One segment, ending with the gateway.
    const operations = emulator.operations(EMULATOR_RESOURCE_GROUP, CLOUD, segmentName);
    expect(operations.map((op) => [op.action, op.status, op.connectedGateway])).toEqual([
      ["create", "Succeeded", null],
      ["update", "Succeeded", `/infra/tier-1s/${TIER1}`],
      ["update", "Failed", `/infra/tier-1s/${TIER1}`],
      ["update", "Succeeded", `/infra/tier-1s/${TIER1}`],
    ]);
    expect(segmentInAzure(segmentName)).toEqual([expect.objectContaining({ connectedGateway: `/infra/tier-1s/${TIER1}`, gatewayAddress: `${t.gateway}/24`, provisioningState: "Succeeded" })]);

    // Unextend: refused while a workload is still at the source, and without the slug typed.
    const early = await unextendStretch(db, ADMIN, { tenantId: t.tenantId, confirmSlug: `story-${kind}` }, { secretsKey, consoleUrl: "https://bridgehead.example.com" });
    expect(early).toMatchObject({ ok: false, status: 409, message: expect.stringContaining("No workload left at the source (fail)") });
    await report(t, { source: [], avs: vmware(16), gatewayAnsweredBy: [] });
    const unconfirmed = await unextendStretch(db, ADMIN, { tenantId: t.tenantId, confirmSlug: "story" }, { secretsKey, consoleUrl: "https://bridgehead.example.com" });
    expect(unconfirmed).toMatchObject({ ok: false, status: 400, errors: { confirmSlug: [expect.stringContaining(`Type story-${kind}`)] } });
    expect(await unextendStretch(db, ADMIN, { tenantId: t.tenantId, confirmSlug: `story-${kind}` }, { secretsKey, consoleUrl: "https://bridgehead.example.com" })).toEqual({ ok: true });

    // Tunnels and agent tokens retired; the segment and the VLAN stay the tenant's; the teardown files kept, with no secret.
    expect((await tenantRow(t.tenantId)).stretchStage).toBe("unextended");
    expect(await db.select().from(tunnels).where(eq(tunnels.tenantId, t.tenantId))).toEqual([]);
    expect(await authenticateAgent(`Bearer ${sourceToken}`, db)).toBeNull();
    expect(await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.agentTokenHash, hashToken(sourceToken)))).toEqual([]);
    expect(await db.select().from(vlanAllocations).where(and(eq(vlanAllocations.tenantId, t.tenantId), ne(vlanAllocations.state, "released")))).toEqual([
      expect.objectContaining({ state: "allocated" }),
    ]);
    expect(segmentInAzure(segmentName)).toHaveLength(1);
    const kept = await db.select().from(stretchFiles).where(eq(stretchFiles.tenantId, t.tenantId));
    expect(kept.map((f) => f.path)).toEqual(
      expect.arrayContaining([`unextend/bh-story-${kind}-t1-source-unextend.sh`, `unextend/bh-story-${kind}-t1-edge-unextend.sh`, `source/vyos/bh-story-${kind}-t1-undo.vyos`]),
    );
    for (const file of kept) expect(file.contents).not.toMatch(/agt_[A-Za-z0-9_-]{43}/);
    // The stretch's warnings (tromboning, the single tunnel, the overdue cut-over) are closed with it,
    // by whoever unextended it, and the next evaluation, with no tunnel to judge, opens none.
    expect(await db.select({ by: warnings.resolvedBy }).from(warnings).where(and(eq(warnings.tenantId, t.tenantId), eq(warnings.state, "resolved")))).toEqual(
      expect.arrayContaining([{ by: "admin@bridgehead.example" }]),
    );
    // Each closing is a notification event, as an evaluation's own resolutions are.
    const resolvedIds = (await db.select({ id: warnings.id }).from(warnings).where(and(eq(warnings.tenantId, t.tenantId), eq(warnings.resolvedBy, "admin@bridgehead.example")))).map((w) => w.id);
    const told = await db.select({ warningId: notificationEvents.warningId, change: notificationEvents.change }).from(notificationEvents).where(eq(notificationEvents.tenantId, t.tenantId));
    for (const id of resolvedIds) expect(told).toContainEqual({ warningId: id, change: "resolved" });
    await runWarningEvaluation(db);
    expect(await db.select({ kind: warnings.kind, message: warnings.message }).from(warnings).where(and(eq(warnings.tenantId, t.tenantId), ne(warnings.state, "resolved")))).toEqual([]);

    // The timeline (the audit trail's stretch events) tells the story in order, with who and why.
    const timeline = await listStretchTimeline(db, t.tenantId);
    expect(timeline.map((e) => [e.label, e.actor])).toEqual([
      ["Onboarded: stretch begins", "admin@bridgehead.example"],
      ["Cut-over planned", "admin@bridgehead.example"],
      ["Cut-over started", "admin@bridgehead.example"],
      ["Cut over: the Tier-1 routes the subnet", "system"],
      ["Rollback started", "admin@bridgehead.example"],
      ["Rolled back: the gateway is at the source again", "system"],
      ["Cut-over started", "admin@bridgehead.example"],
      ["Cut-over failed", "system"],
      ["Retried", "admin@bridgehead.example"],
      ["Cut over: the Tier-1 routes the subnet", "system"],
      ["Unextended: tunnels retired, segment kept", "admin@bridgehead.example"],
    ]);
    expect(timeline[4]!.detail).toBe("reason: “An appliance pins the old gateway's MAC; fix it first”");
    expect(timeline[7]!.detail).toContain("failed in NSX-T");
    expect(timeline[10]!.detail).toBe("retired primary");
  }, 240_000);

  it("goes past a failing pre-check only with a typed reason, and audits the checks it overrode", async () => {
    const t = await stretchedTenant(`override-${kind}`, kind === "pglite" ? 63 : 64);
    await planCutover(db, ADMIN, { tenantId: t.tenantId, gatewayAddress: t.gateway, tier1Id: TIER1 });
    // A workload in AVS holds the planned address: the check fails.
    await report(t, { source: kvm(3), avs: vmware(9), gatewayAnsweredBy: [] });
    await db.update(tunnelEndpoints).set({ macReport: { local: vmware(9), tunnel: kvm(3), truncated: false, gatewayProbe: { address: t.gateway, answeredBy: [vmware(1)[0]!] } } }).where(eq(tunnelEndpoints.id, t.avs.id));
    const refused = await startCutover(db, ADMIN, { tenantId: t.tenantId });
    expect(refused).toMatchObject({ ok: false, status: 409, checks: expect.arrayContaining([expect.objectContaining({ id: "gateway-address", outcome: "fail" })]) });
    expect(await startCutover(db, ADMIN, { tenantId: t.tenantId, reason: "The VM at .1 is the new gateway appliance, moved on purpose" })).toEqual({ ok: true });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, t.tenantId), eq(auditEvents.action, "stretch.cut-over")));
    expect(audit!.after).toMatchObject({
      reason: "The VM at .1 is the new gateway appliance, moved on purpose",
      overridden: [{ id: "gateway-address", outcome: "fail", summary: expect.stringContaining("is in use by 00:50:56:a1:00:01 on the AVS side") }],
    });
    await runJobUntil(stageIs(t.tenantId, "cut-over"));
  }, 120_000);

  it("offboards an unextended tenant only with its slug typed, and only past Azure's VM ports with a reason", async () => {
    const t = await stretchedTenant(`offboard-${kind}`, kind === "pglite" ? 65 : 66);
    await planCutover(db, ADMIN, { tenantId: t.tenantId, gatewayAddress: t.gateway, tier1Id: TIER1 });
    await report(t, { source: [], avs: vmware(4), gatewayAnsweredBy: [] });
    expect(await startCutover(db, ADMIN, { tenantId: t.tenantId })).toEqual({ ok: true });
    await runJobUntil(stageIs(t.tenantId, "cut-over"));
    expect(await unextendStretch(db, ADMIN, { tenantId: t.tenantId, confirmSlug: `offboard-${kind}` }, { secretsKey, consoleUrl: "https://bridgehead.example.com" })).toEqual({ ok: true });
    // Two VMs on the segment, as Azure lists them, read by the job's next look.
    const segmentName = (await segmentRow(t.tenantId)).segmentName;
    emulator.outOfBand.setPorts(EMULATOR_RESOURCE_GROUP, CLOUD, segmentName, ["app-01", "db-01"]);
    await db.update(segments).set({ nextAttemptAt: new Date() }).where(eq(segments.tenantId, t.tenantId));
    await runJobUntil(async () => ((await segmentRow(t.tenantId)).portVifs ?? []).length === 2);

    expect(await offboardAfterChecks(db, ADMIN, { id: t.tenantId, confirmSlug: "wrong" })).toMatchObject({ ok: false, status: 400, errors: { confirmSlug: [expect.any(String)] } });
    const refused = await offboardAfterChecks(db, ADMIN, { id: t.tenantId, confirmSlug: `offboard-${kind}` });
    expect(refused).toMatchObject({ ok: false, status: 409, message: expect.stringContaining("The segment still carries 2 workloads") });
    expect((await tenantRow(t.tenantId)).state).toBe("active");
    const done = await offboardAfterChecks(db, ADMIN, { id: t.tenantId, confirmSlug: `offboard-${kind}`, reason: "The VMs are being deleted by the customer today" });
    expect(done).toMatchObject({ ok: true, state: "offboarding" });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, t.tenantId), eq(auditEvents.action, "tenant.offboard")));
    expect(audit!.after).toMatchObject({ reason: "The VMs are being deleted by the customer today", overridden: [expect.objectContaining({ id: "segment-workloads", outcome: "fail" })] });
  }, 120_000);
});
