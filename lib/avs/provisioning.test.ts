import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { and, eq, ne } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { retrySegment } from "@/lib/commands/retry-segment";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import { auditEvents, privateClouds, segments, tenants, vlanAllocations } from "@/lib/db/schema";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { createPostgresDatabase, postgresAvailable } from "@/tests/support/databases";
import { createAvsClient } from "./client";
import { EMULATOR_RESOURCE_GROUP, startAvsEmulator, type AvsEmulator } from "./emulator/server";
import { runProvisioningOnce } from "./provisioning";
import { syncPrivateClouds } from "./sync";

const CLOUD = "avs-weu-01";
/** Due at once, failed after three transient errors, short backoffs: the test drives real time. */
const FAST = { pollMs: 0, driftCheckMs: 0, backoffBaseMs: 50, backoffMaxMs: 200, maxTransientAttempts: 3 };

let dir: string;
let emulator: AvsEmulator;
let handle: DatabaseHandle;
let db: Database;
let avs: AzureVMwareSolutionAPI;
let cloudId: string;
let n = 0;

async function startEmulator(port = 0) {
  emulator = await startAvsEmulator({ stateFile: path.join(dir, "avs.json"), port, operationMs: 150, token: "test-token" });
  avs = createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token }, { retries: "caller" });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-provisioning-"));
  await startEmulator();
  handle = await openDatabase({ kind: "pglite", dataDir: null });
  db = handle.db;
  await syncPrivateClouds(db, avs, { subscriptionId: emulator.subscriptionId });
  const [cloud] = await db.select().from(privateClouds).where(eq(privateClouds.name, CLOUD));
  cloudId = cloud!.id;
});

afterEach(async () => {
  await emulator.close();
  await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function onboard(gatewayLocation: "avs" | "source" = "avs", database = db) {
  n++;
  const result = await onboardTenant(
    database,
    null,
    onboardTenantInput.parse({
      privateCloudId: cloudId,
      slug: `prov-${n}`,
      displayName: `Provisioned ${n}`,
      contacts: [{ name: "Ada", email: "ada@example.com" }],
      sourceEnvironment: "kvm-proxmox",
      transport: "ipsec-vpn",
      subnet: `192.168.${n}.0/24`,
      gatewayLocation,
      sourceGatewayUnderlayIp: "198.51.100.10",
    }),
  );
  if (!result.ok) throw new Error(result.message);
  return result;
}

async function segmentOf(tenantId: string, database = db) {
  const [row] = await database.select().from(segments).where(eq(segments.tenantId, tenantId));
  return row!;
}

/** Runs the job (as the server's loop would) until the condition holds. */
async function runUntil(done: () => Promise<boolean>, options: { worker?: string; database?: Database; client?: AzureVMwareSolutionAPI } = {}) {
  // A generous bound for a loaded machine: it only ends a test that would otherwise hang.
  const deadline = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("the job did not get there in 60 s");
    await runProvisioningOnce(options.database ?? db, options.client ?? avs, options.worker ?? "test-worker", { timing: FAST });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const stateIs = (tenantId: string, state: string) => async () => (await segmentOf(tenantId)).state === state;
const segmentsInAzure = () => emulator.segments(EMULATOR_RESOURCE_GROUP, CLOUD);
const putsFor = (name: string) => emulator.requestLog.filter((r) => r.method === "PUT" && r.path.split("?")[0]!.endsWith(`/segments/${name}`));

describe("segment provisioning against the AVS emulator", () => {
  it("creates the segment on the Tier-1 with the subnet's gateway, and the tenant becomes active", async () => {
    const tenant = await onboard("avs");
    await runUntil(stateIs(tenant.tenantId, "ready"));
    const segment = await segmentOf(tenant.tenantId);
    expect(segment).toMatchObject({ state: "ready", lastError: null, operationState: null });
    expect(segment.azureResourceId).toMatch(/\/workloadNetworks\/default\/segments\/bh-prov-\d+$/);

    const inAzure = await avs.workloadNetworks.getSegment(EMULATOR_RESOURCE_GROUP, CLOUD, segment.segmentName);
    expect(inAzure).toMatchObject({ displayName: segment.displayName, connectedGateway: "/infra/tier-1s/TNT42-T1", subnet: { gatewayAddress: `192.168.${n}.1/24` }, provisioningState: "Succeeded" });
    expect(segmentsInAzure().filter((s) => s.name === segment.segmentName)).toHaveLength(1);
    const [tenantRow] = await db.select().from(tenants).where(eq(tenants.id, tenant.tenantId));
    expect(tenantRow!.state).toBe("active");
  });

  it("creates a plain L2 segment, with no gateway, when the gateway stays at the source site", async () => {
    const tenant = await onboard("source");
    await runUntil(stateIs(tenant.tenantId, "ready"));
    const inAzure = await avs.workloadNetworks.getSegment(EMULATOR_RESOURCE_GROUP, CLOUD, `bh-prov-${n}`);
    expect(inAzure.connectedGateway).toBeUndefined();
    expect(inAzure.subnet?.gatewayAddress).toBeUndefined();
  });

  it("waits out throttling exactly as long as Retry-After says, then carries on", async () => {
    const tenant = await onboard();
    emulator.faults.add({ kind: "throttle", method: "GET", pathIncludes: "/segments/", retryAfterSeconds: 7, times: 1 });
    const before = Date.now();
    await runProvisioningOnce(db, avs, "w", { timing: FAST });
    const after = Date.now();
    const throttled = await segmentOf(tenant.tenantId);
    expect(throttled.lastError).toMatch(/^Azure answered 429 TooManyRequests/);
    // Seven seconds from the moment the answer came, which lies between before and after.
    expect(throttled.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 7_000);
    expect(throttled.nextAttemptAt.getTime()).toBeLessThanOrEqual(after + 7_000);
    // Not due yet: a tick now leaves it alone.
    expect(await runProvisioningOnce(db, avs, "w", { timing: FAST })).toBe(0);

    await db.update(segments).set({ nextAttemptAt: new Date() }).where(eq(segments.id, throttled.id));
    await runUntil(stateIs(tenant.tenantId, "ready"));
    expect(putsFor(throttled.segmentName)).toHaveLength(1);
  });

  it("backs off through a few 500s and succeeds; fails with Azure's reason when they do not stop", async () => {
    const lucky = await onboard();
    emulator.faults.add({ kind: "error", method: "PUT", pathIncludes: "/segments/", times: 2 });
    await runUntil(stateIs(lucky.tenantId, "ready"));

    const unlucky = await onboard();
    emulator.faults.add({ kind: "error", method: "PUT", pathIncludes: "/segments/", times: 10 });
    await runUntil(stateIs(unlucky.tenantId, "failed"));
    const failed = await segmentOf(unlucky.tenantId);
    expect(failed.lastError).toMatch(/^Azure answered 500 InternalServerError/);
    expect(segmentsInAzure().some((s) => s.name === failed.segmentName)).toBe(false);
    // Nothing leaked: the tenant still holds exactly its one VLAN.
    expect(await db.select().from(vlanAllocations).where(and(eq(vlanAllocations.tenantId, unlucky.tenantId), ne(vlanAllocations.state, "released")))).toHaveLength(1);
  });

  it("records a failed operation with its reason, and a retry succeeds with exactly one segment", async () => {
    const tenant = await onboard();
    emulator.faults.add({ kind: "fail-operation", method: "PUT", pathIncludes: "/segments/" });
    await runUntil(stateIs(tenant.tenantId, "failed"));
    const failed = await segmentOf(tenant.tenantId);
    expect(failed.lastError).toBeTruthy();
    expect(failed.lastError).not.toMatch(/^Unknown/);

    expect(await retrySegment(db, null, failed.id)).toEqual({ ok: true });
    await runUntil(stateIs(tenant.tenantId, "ready"));
    expect(segmentsInAzure().filter((s) => s.name === failed.segmentName)).toEqual([expect.objectContaining({ provisioningState: "Succeeded" })]);
  });

  it("resumes the same operation after the console and the emulator restart mid-provisioning", async () => {
    const tenant = await onboard();
    await runProvisioningOnce(db, avs, "before-restart", { timing: FAST });
    const inFlight = await segmentOf(tenant.tenantId);
    expect(inFlight.state).toBe("provisioning");
    expect(inFlight.operationState).toBeTruthy();

    const port = Number(new URL(emulator.url).port);
    await emulator.close();
    await startEmulator(port);
    await runUntil(stateIs(tenant.tenantId, "ready"), { worker: "after-restart" });
    // The new emulator's log: the recorded operation was polled, and no second PUT was sent.
    expect(emulator.requestLog.some((r) => r.method === "GET" && r.path.includes("/operationStatuses/"))).toBe(true);
    expect(putsFor(inFlight.segmentName)).toHaveLength(0);
    expect(segmentsInAzure().filter((s) => s.name === inFlight.segmentName)).toHaveLength(1);
  });

  it("finds its way when the operation's endpoint is gone (emulator back on another port)", async () => {
    const tenant = await onboard();
    await runProvisioningOnce(db, avs, "w", { timing: FAST });
    expect((await segmentOf(tenant.tenantId)).operationState).toBeTruthy();
    await emulator.close();
    await startEmulator(0);
    await runUntil(stateIs(tenant.tenantId, "ready"));
    expect(segmentsInAzure().filter((s) => s.name === `bh-prov-${n}`)).toHaveLength(1);
  });

  it("offboarding a segment whose failed create was retried still looks in Azure and deletes it", async () => {
    const tenant = await onboard();
    emulator.faults.add({ kind: "fail-operation", method: "PUT", pathIncludes: "/segments/" });
    await runUntil(stateIs(tenant.tenantId, "failed"));
    const failed = await segmentOf(tenant.tenantId);
    expect(segmentsInAzure().find((s) => s.name === failed.segmentName)?.provisioningState).toBe("Failed");
    await retrySegment(db, null, failed.id);

    const result = await offboardTenant(db, null, tenant.tenantId);
    expect(result).toMatchObject({ ok: true, state: "offboarding" });
    await runUntil(stateIs(tenant.tenantId, "deleted"));
    expect(segmentsInAzure().some((s) => s.name === failed.segmentName)).toBe(false);
    const [allocation] = await db.select().from(vlanAllocations).where(eq(vlanAllocations.tenantId, tenant.tenantId));
    expect(allocation!.state).toBe("quarantined");
  });

  it("offboarding while a worker holds a never-sent segment leaves it to the job, VLAN still held", async () => {
    const tenant = await onboard();
    const segment = await segmentOf(tenant.tenantId);
    await db.update(segments).set({ lockedBy: "someone-mid-step", lockedUntil: new Date(Date.now() + 60_000) }).where(eq(segments.id, segment.id));
    expect(await offboardTenant(db, null, tenant.tenantId)).toMatchObject({ ok: true, state: "offboarding" });
    expect(await segmentOf(tenant.tenantId)).toMatchObject({ state: "deleting", desired: "absent", lockedBy: null });
    const [allocation] = await db.select().from(vlanAllocations).where(eq(vlanAllocations.tenantId, tenant.tenantId));
    expect(allocation!.state).toBe("allocated");
  });

  it("a worker that lost its lease sends nothing and writes nothing", async () => {
    const tenant = await onboard();
    emulator.faults.add({ kind: "latency", method: "GET", pathIncludes: `/segments/bh-prov-${n}`, latencyMs: 800, times: 1 });
    const inFlight = emulator.nextArrival({ method: "GET", pathIncludes: `/segments/bh-prov-${n}` });
    const slow = runProvisioningOnce(db, avs, "slow", { timing: FAST });
    await inFlight;
    // The slow worker's lease runs out mid-GET: another takes the segment and finishes it.
    await db.update(segments).set({ lockedUntil: new Date(Date.now() - 1) }).where(eq(segments.tenantId, tenant.tenantId));
    await runUntil(stateIs(tenant.tenantId, "ready"), { worker: "fast" });
    await slow;
    expect(putsFor(`bh-prov-${n}`)).toHaveLength(1);
    expect(await segmentOf(tenant.tenantId)).toMatchObject({ state: "ready", lockedBy: null });
  });

  it("an offboarding that takes over mid-poll wins: the old step's outcome is dropped", async () => {
    const tenant = await onboard();
    await runProvisioningOnce(db, avs, "w", { timing: FAST });
    expect((await segmentOf(tenant.tenantId)).state).toBe("provisioning");
    emulator.faults.add({ kind: "latency", method: "GET", pathIncludes: "/operationStatuses/", latencyMs: 600, times: 1 });
    const inFlight = emulator.nextArrival({ method: "GET", pathIncludes: "/operationStatuses/" });
    const polling = runProvisioningOnce(db, avs, "poller", { timing: FAST });
    await inFlight;
    expect(await offboardTenant(db, null, tenant.tenantId)).toMatchObject({ ok: true, state: "offboarding" });
    await polling;
    expect(await segmentOf(tenant.tenantId)).toMatchObject({ state: "deleting", desired: "absent" });
    await runUntil(stateIs(tenant.tenantId, "deleted"));
    expect(segmentsInAzure().some((s) => s.name === `bh-prov-${n}`)).toBe(false);
  });

  it("refuses a retry while a worker holds the segment", async () => {
    const tenant = await onboard();
    const segment = await segmentOf(tenant.tenantId);
    await db.update(segments).set({ state: "failed", lockedBy: "busy", lockedUntil: new Date(Date.now() + 60_000) }).where(eq(segments.id, segment.id));
    expect(await retrySegment(db, null, segment.id)).toMatchObject({ ok: false, status: 409 });
  });

  it("offboarding deletes the segment first and only then quarantines the VLAN", async () => {
    const tenant = await onboard();
    await runUntil(stateIs(tenant.tenantId, "ready"));
    const result = await offboardTenant(db, null, tenant.tenantId);
    expect(result).toMatchObject({ ok: true, state: "offboarding", quarantinedUntil: null });
    const [held] = await db.select().from(vlanAllocations).where(eq(vlanAllocations.tenantId, tenant.tenantId));
    expect(held!.state).toBe("allocated");

    await runUntil(stateIs(tenant.tenantId, "deleted"));
    expect(segmentsInAzure().some((s) => s.name === `bh-prov-${n}`)).toBe(false);
    const [quarantined] = await db.select().from(vlanAllocations).where(eq(vlanAllocations.tenantId, tenant.tenantId));
    expect(quarantined).toMatchObject({ state: "quarantined", quarantinedUntil: expect.any(Date) });
    const [tenantRow] = await db.select().from(tenants).where(eq(tenants.id, tenant.tenantId));
    expect(tenantRow!.state).toBe("offboarded");
  });

  it("notices a segment deleted or changed outside the console, and a retry repairs it", async () => {
    const gone = await onboard();
    const changed = await onboard();
    await runUntil(async () => (await stateIs(gone.tenantId, "ready")()) && (await stateIs(changed.tenantId, "ready")()));
    emulator.outOfBand.deleteSegment(EMULATOR_RESOURCE_GROUP, CLOUD, `bh-prov-${n - 1}`);
    emulator.outOfBand.updateSegment(EMULATOR_RESOURCE_GROUP, CLOUD, `bh-prov-${n}`, { displayName: "renamed in the portal" });

    await runUntil(async () => (await stateIs(gone.tenantId, "drifted")()) && (await stateIs(changed.tenantId, "drifted")()));
    expect((await segmentOf(gone.tenantId)).lastError).toBe("The segment was deleted outside the console.");
    expect((await segmentOf(changed.tenantId)).lastError).toMatch(/changed outside the console \(display name “renamed in the portal”/);
    const drift = await db.select().from(auditEvents).where(eq(auditEvents.action, "segment.drifted"));
    expect(drift.length).toBeGreaterThanOrEqual(2);

    for (const tenant of [gone, changed]) expect(await retrySegment(db, null, (await segmentOf(tenant.tenantId)).id)).toEqual({ ok: true });
    await runUntil(async () => (await stateIs(gone.tenantId, "ready")()) && (await stateIs(changed.tenantId, "ready")()));
    const repaired = await avs.workloadNetworks.getSegment(EMULATOR_RESOURCE_GROUP, CLOUD, `bh-prov-${n}`);
    expect(repaired.displayName).toBe((await segmentOf(changed.tenantId)).displayName);
  });
});

describe.skipIf(!postgresAvailable())("two instances on one PostgreSQL", () => {
  it("provision each segment once: one PUT per segment, all ready", async () => {
    const database = await createPostgresDatabase();
    const [a, b] = await Promise.all([openDatabase({ kind: "postgres", url: database.url }), openDatabase({ kind: "postgres", url: database.url })]);
    try {
      await syncPrivateClouds(a.db, avs, { subscriptionId: emulator.subscriptionId });
      const [cloud] = await a.db.select().from(privateClouds).where(eq(privateClouds.name, CLOUD));
      cloudId = cloud!.id;
      const onboarded = [];
      for (let i = 0; i < 8; i++) onboarded.push(await onboard("avs", a.db));
      const clientB = createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token }, { retries: "caller" });
      const allReady = async () => (await a.db.select().from(segments)).every((s) => s.state === "ready");
      await Promise.all([
        runUntil(allReady, { database: a.db, worker: "instance-a" }),
        runUntil(allReady, { database: b.db, client: clientB, worker: "instance-b" }),
      ]);
      for (const tenant of onboarded) expect(putsFor(`bh-${tenant.slug}`)).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  }, 60_000);
});
