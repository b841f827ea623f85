/**
 * A tenant's whole life through the automation API only, with an API token, on both databases:
 * onboard (the POST retried with its Idempotency-Key creates one tenant), wait for the segment
 * the provisioning job builds in the AVS emulator, add a tunnel, download its bundle,
 * acknowledge a warning, roll the stretch back and cut it over again, offboard. Only the background jobs (provisioning, warning evaluation)
 * are driven by the test, as the server's loops would drive them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { and, eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as getBundle } from "@/app/api/v1/tunnels/[id]/bundle/route";
import { GET as listClouds } from "@/app/api/v1/private-clouds/route";
import { GET as listTenants, POST as onboard } from "@/app/api/v1/tenants/route";
import { DELETE as offboard, GET as getTenant, PATCH as editTenant } from "@/app/api/v1/tenants/[slug]/route";
import { GET as getSegment } from "@/app/api/v1/tenants/[slug]/segment/route";
import { GET as getStretch } from "@/app/api/v1/tenants/[slug]/stretch/route";
import { POST as cutOver } from "@/app/api/v1/tenants/[slug]/stretch/cut-over/route";
import { POST as planCutover } from "@/app/api/v1/tenants/[slug]/stretch/plan/route";
import { POST as rollBack } from "@/app/api/v1/tenants/[slug]/stretch/roll-back/route";
import { POST as addTunnel } from "@/app/api/v1/tenants/[slug]/tunnels/route";
import { GET as tenantWarnings } from "@/app/api/v1/tenants/[slug]/warnings/route";
import { POST as acknowledge } from "@/app/api/v1/warnings/[id]/acknowledge/route";
import { GET as nextVlan } from "@/app/api/v1/vlan-pools/[cloudId]/next-vlan/route";
import { GET as auditList } from "@/app/api/v1/audit/route";
import { createAvsClient } from "@/lib/avs/client";
import { startAvsEmulator, type AvsEmulator } from "@/lib/avs/emulator/server";
import { runProvisioningOnce } from "@/lib/avs/provisioning";
import { syncPrivateClouds } from "@/lib/avs/sync";
import { readConfig } from "@/lib/config";
import { closeDatabase, getDatabase, type Database } from "@/lib/db/client";
import { auditEvents, tenants } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { getSecretsKey } from "@/lib/secrets";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { callApi, makeApiToken } from "./support/api-client";
import { createPostgresDatabase, postgresAvailable } from "./support/databases";
import { CONSOLE_ORIGIN } from "./support/personas";

const FAST = { pollMs: 0, driftCheckMs: 0, backoffBaseMs: 50, backoffMaxMs: 200, maxTransientAttempts: 3 };

function lifecycle(kind: "pglite" | "postgres") {
  let dir: string;
  let db: Database;
  let emulator: AvsEmulator;
  let avs: AzureVMwareSolutionAPI;
  let dropDatabase: (() => Promise<void>) | undefined;
  let token: string;

  beforeAll(async () => {
    await closeDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-api-"));
    vi.stubEnv("DATA_DIR", dir);
    vi.stubEnv("PUBLIC_URL", CONSOLE_ORIGIN);
    if (kind === "postgres") {
      const database = await createPostgresDatabase();
      dropDatabase = database.drop;
      vi.stubEnv("DATABASE_URL", database.url);
      vi.stubEnv("SESSION_SECRET", "api-test-session-secret-".repeat(2));
      vi.stubEnv("SECRETS_KEY", "api-test-secrets-key-0123456789-".repeat(2));
      vi.stubEnv("BUILTIN_SIGN_IN", "on");
    }
    const handle = await getDatabase();
    // The routes open the app's own database from the environment: make sure it is the one meant.
    expect(handle.kind).toBe(kind);
    db = handle.db;
    await seedDemoData(db, { secretsKey: getSecretsKey(readConfig()) });
    emulator = await startAvsEmulator({ stateFile: path.join(dir, "avs.json"), operationMs: 50, token: "test-token" });
    avs = createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token }, { retries: "caller" });
    await syncPrivateClouds(db, avs, { subscriptionId: emulator.subscriptionId });
    token = (await makeApiToken({ name: `pipeline-${kind}`, scope: "write" })).token;
  });

  afterAll(async () => {
    await emulator?.close();
    await closeDatabase();
    await dropDatabase?.();
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("onboards, provisions, adds a tunnel, hands out its bundle, acknowledges a warning and offboards", async () => {
    const clouds = (await (await callApi(listClouds, { token, path: "/api/v1/private-clouds" })).json()) as { items: { id: string; name: string }[] };
    const cloud = clouds.items.find((c) => c.name === "avs-weu-01")!;
    expect(cloud).toBeDefined();
    const next = (await (await callApi(nextVlan, { token, path: `/api/v1/vlan-pools/${cloud.id}/next-vlan`, params: { cloudId: cloud.id } })).json()) as { vlanId: number };

    // Onboard, and retry the same POST as a script would after a lost answer.
    const body = {
      privateCloudId: cloud.id,
      slug: "api-life",
      displayName: "API Life",
      contacts: [{ name: "Ada Lovelace", email: "ada@example.com" }],
      sourceEnvironment: "kvm-proxmox",
      transport: "ipsec-vpn",
      subnet: "192.168.77.0/24",
      gatewayLocation: "avs",
      sourceGatewayUnderlayIp: "198.51.100.10",
    };
    const post = () => callApi(onboard, { token, method: "POST", path: "/api/v1/tenants", body, headers: { "idempotency-key": `onboard-api-life-${kind}` } });
    const first = await post();
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; slug: string; vlanId: number; vni: number };
    expect(created.vlanId).toBe(next.vlanId);
    expect(first.headers.get("location")).toBe("/api/v1/tenants/api-life");
    const retry = await post();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(created);
    expect(await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "api-life"))).toHaveLength(1);

    // Two copies of one request in flight at once (a client's timeout and retry overlapping):
    // one onboards, the other waits for it and answers the same.
    const twin = { ...body, slug: "api-twin", displayName: "API Twin", subnet: "192.168.78.0/24" };
    const racing = await Promise.all(
      [1, 2].map(() => callApi(onboard, { token, method: "POST", path: "/api/v1/tenants", body: twin, headers: { "idempotency-key": `onboard-api-twin-${kind}` } })),
    );
    expect(racing.map((r) => r.status)).toEqual([201, 201]);
    expect(racing.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(1);
    const [a, b] = await Promise.all(racing.map((r) => r.json()));
    expect(a).toEqual(b);
    expect(await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "api-twin"))).toHaveLength(1);
    // The same key for a different request is refused rather than answered with the first's result.
    const reused = await callApi(onboard, { token, method: "POST", path: "/api/v1/tenants", body: { ...twin, displayName: "Other" }, headers: { "idempotency-key": `onboard-api-twin-${kind}` } });
    expect(reused.status).toBe(422);

    // Wait for the segment, reading it through the API while the job runs as the server would.
    const segmentState = async () =>
      ((await (await callApi(getSegment, { token, path: "/api/v1/tenants/api-life/segment", params: { slug: "api-life" } })).json()) as { state: string }).state;
    const deadline = Date.now() + 60_000; // only ends a hung test
    while ((await segmentState()) !== "ready") {
      if (Date.now() > deadline) throw new Error("the segment did not become ready");
      await runProvisioningOnce(db, avs, "api-test", { timing: FAST });
    }

    // A stale edit is refused; a current one goes through.
    const read = await callApi(getTenant, { token, path: "/api/v1/tenants/api-life", params: { slug: "api-life" } });
    const etag = read.headers.get("etag")!;
    expect((await read.json()) as { state: string }).toMatchObject({ state: "active", vlanId: created.vlanId });
    const edited = await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/api-life", params: { slug: "api-life" }, body: { latencyObjectiveMs: 15 }, headers: { "if-match": etag } });
    expect(edited.status).toBe(200);
    expect(edited.headers.get("etag")).not.toBe(etag);
    const stale = await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/api-life", params: { slug: "api-life" }, body: { latencyObjectiveMs: 30 }, headers: { "if-match": etag } });
    expect(stale.status).toBe(412);
    const [afterStale] = await db.select({ objective: tenants.latencyObjectiveMs }).from(tenants).where(eq(tenants.slug, "api-life"));
    expect(afterStale!.objective).toBe(15);

    // A tunnel, and its bundle.
    const tunnelResponse = await callApi(addTunnel, {
      token, method: "POST", path: "/api/v1/tenants/api-life/tunnels", params: { slug: "api-life" },
      body: { name: "primary", source: { hostname: "life-gw1", underlayIp: "198.51.100.10" }, avs: { hostname: "life-bridge1", underlayIp: "10.120.8.10" } },
    });
    expect(tunnelResponse.status).toBe(201);
    const tunnel = (await tunnelResponse.json()) as { id: string };
    const bundle = await callApi(getBundle, { token, path: `/api/v1/tunnels/${tunnel.id}/bundle`, params: { id: tunnel.id } });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await bundle.arrayBuffer()));
    const readme = Object.entries(files).find(([name]) => name.endsWith("README.md"));
    expect(readme && strFromU8(readme[1])).toContain("life-gw1");

    // One tunnel is a single point of failure: the evaluation opens a warning, acknowledged here.
    await runWarningEvaluation(db);
    const warnings = (await (await callApi(tenantWarnings, { token, path: "/api/v1/tenants/api-life/warnings", params: { slug: "api-life" } })).json()) as {
      active: { id: string; kind: string; state: string }[];
    };
    const spof = warnings.active.find((w) => w.kind === "single-point-of-failure" && w.state === "open")!;
    expect(spof).toBeDefined();
    const acked = await callApi(acknowledge, { token, method: "POST", path: `/api/v1/warnings/${spof.id}/acknowledge`, params: { id: spof.id } });
    expect(acked.status).toBe(200);
    const again = await callApi(acknowledge, { token, method: "POST", path: `/api/v1/warnings/${spof.id}/acknowledge`, params: { id: spof.id } });
    expect(again.status).toBe(409);

    // The stretch's steps, each holding the script to the stretch it read (If-Match): onboarded
    // with its gateway in AVS, it is rolled back to the source, re-planned and cut over again,
    // Azure (the emulator) changing the segment's gateway each time.
    type Stretch = { stage: string; defaults: { tier1Gateways: { id: string }[] }; segment: { state: string; gatewayAddress: string | null } | null };
    const stretchOf = async () => {
      const response = await callApi(getStretch, { token, path: "/api/v1/tenants/api-life/stretch", params: { slug: "api-life" } });
      return { etag: response.headers.get("etag")!, view: (await response.json()) as Stretch };
    };
    const step = (handler: typeof rollBack, name: string, etag: string | null, body?: unknown) =>
      callApi(handler, { token, method: "POST", path: `/api/v1/tenants/api-life/stretch/${name}`, params: { slug: "api-life" }, body, headers: etag ? { "if-match": etag } : {} });
    const settle = async (stage: string) => {
      while ((await stretchOf()).view.stage !== stage) {
        if (Date.now() > deadline + 30_000) throw new Error(`the stretch did not reach ${stage}`);
        await runProvisioningOnce(db, avs, "api-test", { timing: FAST });
      }
    };
    const cutOverAt = await stretchOf();
    expect(cutOverAt.view.stage).toBe("cut-over");
    expect((await step(rollBack, "roll-back", null)).status).toBe(428);
    expect((await step(rollBack, "roll-back", cutOverAt.etag)).status).toBe(202);
    await settle("cutover-planned");
    const rolledBack = await stretchOf();
    expect(rolledBack.view.segment).toMatchObject({ state: "ready", gatewayAddress: null });
    const planned = await step(planCutover, "plan", rolledBack.etag, { gatewayAddress: "192.168.77.1", tier1Id: rolledBack.view.defaults.tier1Gateways[0]!.id });
    expect(planned.status).toBe(200);
    // The plan moved the stretch on: the ETag read before it is stale for the cut-over.
    expect((await step(cutOver, "cut-over", rolledBack.etag, { reason: "API lifecycle test: no agents report here." })).status).toBe(412);
    expect((await step(cutOver, "cut-over", planned.headers.get("etag"), { reason: "API lifecycle test: no agents report here." })).status).toBe(202);
    await settle("cut-over");
    expect((await stretchOf()).view.segment).toMatchObject({ state: "ready", gatewayAddress: "192.168.77.1/24" });

    // Offboard: the segment goes, then the VLAN enters quarantine.
    const tenantState = async () => ((await (await callApi(getTenant, { token, path: "/api/v1/tenants/api-life", params: { slug: "api-life" } })).json()) as { state: string }).state;
    // The console's pre-checks hold here too: the tunnel is still attached, so a plain DELETE is refused, naming the check.
    const held = await callApi(offboard, { token, method: "DELETE", path: "/api/v1/tenants/api-life", params: { slug: "api-life" } });
    expect(held.status).toBe(409);
    const refusal = (await held.json()) as { checks: { id: string; outcome: string }[] };
    expect(refusal.checks.find((check) => check.id === "tunnels-attached")?.outcome).toBe("fail");
    expect(await tenantState()).toBe("active");
    const reason = encodeURIComponent("API lifecycle test: the tunnel goes with the tenant");
    const gone = await callApi(offboard, { token, method: "DELETE", path: `/api/v1/tenants/api-life?reason=${reason}`, params: { slug: "api-life" } });
    expect(gone.status).toBe(202);
    while ((await tenantState()) !== "offboarded") {
      if (Date.now() > deadline + 60_000) throw new Error("the tenant was not offboarded");
      await runProvisioningOnce(db, avs, "api-test", { timing: FAST });
    }
    const list = (await (await callApi(listTenants, { token, path: "/api/v1/tenants?state=offboarded&q=api-life" })).json()) as { items: { slug: string; vlanState: string }[] };
    expect(list.items).toEqual([expect.objectContaining({ slug: "api-life", vlanState: "quarantined" })]);

    // Every step is in the audit trail under the token's name, each call included.
    const actor = `token:pipeline-${kind}`;
    const trail = await db.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.actor, actor)));
    const actions = new Set(trail.map((t) => t.action));
    for (const action of ["tenant.onboard", "tenant.edit", "tunnel.add", "gateway-config.download", "warning.acknowledge", "stretch.roll-back", "stretch.plan", "stretch.cut-over", "tenant.offboard", "api.call"]) {
      expect(actions, action).toContain(action);
    }
    // One onboarding each for api-life (sent twice) and api-twin (sent twice at once).
    expect(trail.filter((t) => t.action === "tenant.onboard")).toHaveLength(2);
    const page = (await (await callApi(auditList, { token, path: "/api/v1/audit?action=tenant.onboard&limit=1" })).json()) as { items: { actor: string }[] };
    expect(page.items[0]!.actor).toBe(actor);
  });
}

describe("a tenant's life through the API [pglite]", () => lifecycle("pglite"));
describe.skipIf(!postgresAvailable())("a tenant's life through the API [postgres]", () => lifecycle("postgres"));
