/**
 * Two hands on one stretch at once: the job finishing a cut-over (segment ready, stage moved on)
 * and an operator's step (roll back, unextend, offboard), which locks the tenant and then its
 * segment. The job must take the locks in the same order, tenant first: the other way round the
 * two wait on each other and PostgreSQL kills one of them (the operator sees an error). Proven on
 * PostgreSQL, where transactions really run side by side.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAvsClient } from "@/lib/avs/client";
import { startAvsEmulator, type AvsEmulator } from "@/lib/avs/emulator/server";
import { runProvisioningOnce } from "@/lib/avs/provisioning";
import { syncPrivateClouds } from "@/lib/avs/sync";
import type { Principal } from "@/lib/auth/permissions";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { planCutover } from "@/lib/commands/plan-cutover";
import { startCutover } from "@/lib/commands/start-cutover";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { privateClouds, segments, tenants } from "@/lib/db/schema";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { createPostgresDatabase } from "./support/databases";

const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };
const FAST = { pollMs: 0, driftCheckMs: 60_000, backoffBaseMs: 50, backoffMaxMs: 200, maxTransientAttempts: 3 };

describe.skipIf(inject("postgresUnavailable") !== null)("the job and an operator lock a stretch in one order [postgres]", () => {
  let dir: string;
  let emulator: AvsEmulator;
  let avs: AzureVMwareSolutionAPI;
  let handle: DatabaseHandle;
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    url = database.url;
    drop = database.drop;
    handle = await openDatabase({ kind: "postgres", url });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-lock-order-"));
    emulator = await startAvsEmulator({ stateFile: path.join(dir, "avs.json"), port: 0, operationMs: 100, token: "test-token" });
    avs = createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token }, { retries: "caller" });
    await syncPrivateClouds(handle.db, avs, { subscriptionId: emulator.subscriptionId });
  });

  afterAll(async () => {
    await emulator?.close();
    await handle?.close();
    await drop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the job finishing a cut-over waits for the tenant before it takes the segment", async () => {
    const db = handle.db;
    const [cloud] = await db.select().from(privateClouds).where(eq(privateClouds.name, "avs-weu-01"));
    const onboarded = await onboardTenant(
      db,
      ADMIN,
      onboardTenantInput.parse({
        privateCloudId: cloud!.id,
        slug: "lockorder",
        displayName: "Lock Order",
        contacts: [{ name: "Ada", email: "ada@example.com" }],
        sourceEnvironment: "kvm-proxmox",
        transport: "expressroute-global-reach",
        subnet: "192.168.77.0/24",
        gatewayLocation: "source",
        sourceGatewayUnderlayIp: "198.51.100.10",
      }),
    );
    if (!onboarded.ok) throw new Error(onboarded.message);
    const tenantId = onboarded.tenantId;
    const segmentState = async () => (await db.select().from(segments).where(eq(segments.tenantId, tenantId)))[0]!.state;
    const deadline = Date.now() + 60_000;
    while ((await segmentState()) !== "ready") {
      if (Date.now() > deadline) throw new Error("the segment was not made in 60 s");
      await runProvisioningOnce(db, avs, "worker-a", { timing: FAST });
    }
    expect(await planCutover(db, ADMIN, { tenantId, gatewayAddress: "192.168.77.1", tier1Id: "TNT42-T1" })).toEqual({ ok: true });
    expect(await startCutover(db, ADMIN, { tenantId, reason: "No agents in this test; the lock order is what is judged." })).toEqual({ ok: true });

    // The operator's step holds the tenant, as lockTenantFor does, while the job runs.
    const operator = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await operator.connect();
    await watcher.connect();
    try {
      await operator.query("begin");
      await operator.query("select id from tenants where id = $1 for update", [tenantId]);
      // The job runs until Azure's change lands, then blocks on the tenant the operator holds.
      let jobDone = false;
      const job = (async () => {
        while ((await db.select({ stage: tenants.stretchStage }).from(tenants).where(eq(tenants.id, tenantId)))[0]!.stage !== "cut-over") {
          if (Date.now() > deadline) throw new Error("the cut-over did not land in 60 s");
          await runProvisioningOnce(db, avs, "worker-a", { timing: FAST });
        }
        jobDone = true;
      })();
      // Wait on the event: a backend of this database waiting for a lock.
      for (;;) {
        const waiting = await watcher.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
        if (waiting.rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error("the job never waited for the tenant");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(jobDone).toBe(false);
      // The operator's next lock, the segment, must be free: the job has not taken it first.
      await expect(operator.query("select id from segments where tenant_id = $1 for update nowait", [tenantId])).resolves.toMatchObject({ rowCount: 1 });
      await operator.query("commit");
      await job;
      expect(await segmentState()).toBe("ready");
    } finally {
      await operator.query("rollback").catch(() => undefined);
      await operator.end();
      await watcher.end();
    }
  }, 120_000);
});
