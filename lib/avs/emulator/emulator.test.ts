/**
 * The emulator, driven the way the console drives it: through the real @azure/arm-avs SDK and
 * lib/avs/client.ts. Every test gets its own emulator and state file, so they run concurrently.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { describe, test as base } from "vitest";
import { createAvsClient } from "@/lib/avs/client";
import { type AvsEmulator, EMULATOR_SUBSCRIPTION_ID, startAvsEmulator } from "./server";

const RG = "rg-avs-demo";
const CLOUD = "avs-weu-01";
const T1 = "TNT42-T1";
const FAST = { updateIntervalInMs: 50 };

type Lab = {
  stateFile: string;
  start(options?: Omit<Parameters<typeof startAvsEmulator>[0], "stateFile">): Promise<AvsEmulator>;
  client(emulator: AvsEmulator, token?: string): AzureVMwareSolutionAPI;
};

const test = base.extend<{ lab: Lab }>({
  lab: async ({}, use) => {
    const dir = mkdtempSync(path.join(tmpdir(), "avs-emulator-"));
    const started: AvsEmulator[] = [];
    const stateFile = path.join(dir, "state.json");
    await use({
      stateFile,
      async start(options = {}) {
        const emulator = await startAvsEmulator({ stateFile, ...options });
        started.push(emulator);
        return emulator;
      },
      client: (emulator, token = emulator.token) =>
        createAvsClient({ mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token }),
    });
    await Promise.all(started.map((emulator) => emulator.close()));
    rmSync(dir, { recursive: true, force: true });
  },
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail with a RestError");
}

const segmentBody = (displayName: string, extra: Record<string, unknown> = {}) => ({
  displayName,
  connectedGateway: T1,
  subnet: { gatewayAddress: "192.168.10.1/24" },
  ...extra,
});

describe.concurrent("AVS emulator through the real SDK", () => {
  test("lists and gets private clouds, following nextLink, with ARM ids and case-insensitive names", async ({ lab, expect }) => {
    const emulator = await lab.start({ pageSize: 1 });
    const client = lab.client(emulator);
    expect(emulator.subscriptionId).toBe(EMULATOR_SUBSCRIPTION_ID);

    const inSubscription = await all(client.privateClouds.listInSubscription());
    expect(inSubscription.map((c) => c.name)).toEqual(["avs-weu-01", "avs-neu-01"]);
    const skipTokens = emulator.requestLog.filter((r) => r.path.includes("/providers/Microsoft.AVS/privateClouds?") && r.path.includes("$skipToken="));
    expect(skipTokens).toHaveLength(1);
    expect(skipTokens[0]!.path).toContain("api-version=2023-03-01");

    expect((await all(client.privateClouds.list(RG))).map((c) => c.name)).toEqual(["avs-weu-01", "avs-neu-01"]);

    const weu = await client.privateClouds.get("RG-AVS-DEMO", "AVS-WEU-01");
    expect(weu).toMatchObject({
      id: `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/rg-avs-demo/providers/Microsoft.AVS/privateClouds/avs-weu-01`,
      name: "avs-weu-01",
      type: "Microsoft.AVS/privateClouds",
      location: "westeurope",
      networkBlock: "10.120.0.0/22",
      provisioningState: "Succeeded",
      sku: { name: "av36p" },
      managementCluster: { clusterSize: 3, provisioningState: "Succeeded" },
    });
    expect(weu.endpoints?.nsxtManager).toMatch(/^https:\/\/10\.120\./);
    expect(weu.endpoints?.vcsa).toMatch(/^https:\/\//);
    expect(weu.endpoints?.hcxCloudManager).toMatch(/^https:\/\//);
    expect(weu.circuit?.expressRouteID).toMatch(/^\/subscriptions\/.+\/expressRouteCircuits\//);

    const neu = await client.privateClouds.get(RG, "avs-neu-01");
    expect(neu).toMatchObject({ location: "northeurope", networkBlock: "10.130.0.0/22" });
  });

  test("lists Tier-1 gateways and Global Reach connections", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const client = lab.client(emulator);

    const gateways = await all(client.workloadNetworks.listGateways(RG, CLOUD));
    expect(gateways).toEqual([
      expect.objectContaining({
        id: `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/rg-avs-demo/providers/Microsoft.AVS/privateClouds/avs-weu-01/workloadNetworks/default/gateways/TNT42-T1`,
        name: "TNT42-T1",
        type: "Microsoft.AVS/privateClouds/workloadNetworks/gateways",
        displayName: "TNT42-T1",
      }),
    ]);
    expect((await all(client.workloadNetworks.listGateways(RG, "avs-neu-01"))).map((g) => g.name)).toEqual(["TNT43-T1"]);

    const connections = await all(client.globalReachConnections.list(RG, CLOUD));
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      type: "Microsoft.AVS/privateClouds/globalReachConnections",
      circuitConnectionStatus: "Connected",
      provisioningState: "Succeeded",
    });
    expect(connections[0]!.peerExpressRouteCircuit).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/expressRouteCircuits\//);
    expect(await all(client.globalReachConnections.list(RG, "avs-neu-01"))).toEqual([]);
  });

  test("creates a segment: 201 Building, Azure-AsyncOperation polled to Succeeded, then an idempotent 200", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 300 });
    const client = lab.client(emulator);

    const created = await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-contoso", segmentBody("bh-contoso"), FAST);
    expect(created).toMatchObject({
      id: `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/rg-avs-demo/providers/Microsoft.AVS/privateClouds/avs-weu-01/workloadNetworks/default/segments/bh-contoso`,
      name: "bh-contoso",
      type: "Microsoft.AVS/privateClouds/workloadNetworks/segments",
      displayName: "bh-contoso",
      connectedGateway: T1,
      subnet: { gatewayAddress: "192.168.10.1/24" },
      provisioningState: "Succeeded",
      status: "SUCCESS",
      revision: 0,
    });
    const put = emulator.requestLog.find((r) => r.method === "PUT");
    expect(put?.status).toBe(201);
    const polls = emulator.requestLog.filter((r) => r.path.includes("/locations/westeurope/operationStatuses/"));
    expect(polls.length).toBeGreaterThanOrEqual(2); // at least one InProgress and the Succeeded one
    expect(polls.every((p) => p.status === 200)).toBe(true);

    const again = await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-contoso", segmentBody("Contoso (renamed)"), FAST);
    expect(again).toMatchObject({ displayName: "Contoso (renamed)", provisioningState: "Succeeded", revision: 1 });
    expect(emulator.requestLog.filter((r) => r.method === "PUT").map((r) => r.status)).toEqual([201, 200]);
    expect(emulator.segments(RG, CLOUD)).toEqual([
      { id: created.id, name: "bh-contoso", displayName: "Contoso (renamed)", provisioningState: "Succeeded", connectedGateway: T1, gatewayAddress: "192.168.10.1/24", revision: 1 },
    ]);

    const fetched = await client.workloadNetworks.getSegment("Rg-Avs-Demo", "Avs-Weu-01", "bh-contoso");
    expect(fetched).toMatchObject({ id: created.id, displayName: "Contoso (renamed)" });

    const patched = await client.workloadNetworks.beginUpdateSegmentsAndWait(RG, CLOUD, "bh-contoso", { displayName: "Contoso" }, FAST);
    expect(patched).toMatchObject({ displayName: "Contoso", connectedGateway: T1, revision: 2, provisioningState: "Succeeded" });
  });

  test("updates a segment's gateway as WorkloadNetworks_UpdateSegments (2023-03-01) shows: 202, polled, applied", async ({ lab, expect }) => {
    // Long enough that the checks made while the update is in flight cannot outrun it on a loaded machine.
    const emulator = await lab.start({ operationMs: 2_000 });
    const client = lab.client(emulator);
    await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-contoso", { displayName: "contoso VLAN 110" }, FAST);

    // The spec's example body, with this cloud's Tier-1 and the tenant's subnet: the Tier-1 by its
    // policy path, the gateway address with its prefix, a revision, and no displayName.
    const exampleBody = {
      properties: { connectedGateway: `/infra/tier-1s/${T1}`, subnet: { dhcpRanges: ["192.168.10.200-192.168.10.250"], gatewayAddress: "192.168.10.1/24" }, revision: 1 },
    };
    const url = `${emulator.url}/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.AVS/privateClouds/${CLOUD}/workloadNetworks/default/segments/bh-contoso?api-version=2023-03-01`;
    const response = await fetch(url, { method: "PATCH", headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" }, body: JSON.stringify(exampleBody) });
    expect(response.status).toBe(202);
    expect(response.headers.get("azure-asyncoperation")).toMatch(/\/locations\/westeurope\/operationStatuses\//);
    expect(response.headers.get("location")).toMatch(/\/locations\/westeurope\/operationResults\//);
    expect((await client.workloadNetworks.getSegment(RG, CLOUD, "bh-contoso")).provisioningState).toBe("Updating");
    // While NSX-T realizes it, another write conflicts.
    expect((await restError(client.workloadNetworks.beginUpdateSegments(RG, CLOUD, "bh-contoso", { connectedGateway: T1 }, FAST))).statusCode).toBe(409);

    // Polled as a client polls Azure-AsyncOperation, until the operation leaves InProgress.
    const statusUrl = response.headers.get("azure-asyncoperation")!;
    let status = "InProgress";
    for (let polls = 0; status === "InProgress" && polls < 600; polls++) {
      const poll = await fetch(statusUrl, { headers: { authorization: `Bearer ${emulator.token}` } });
      status = ((await poll.json()) as { status: string }).status;
      if (status === "InProgress") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe("Succeeded");
    expect(await client.workloadNetworks.getSegment(RG, CLOUD, "bh-contoso")).toMatchObject({ connectedGateway: `/infra/tier-1s/${T1}`, subnet: { gatewayAddress: "192.168.10.1/24" }, provisioningState: "Succeeded" });
    const settled = await client.workloadNetworks.beginUpdateSegmentsAndWait(RG, CLOUD, "bh-contoso", { connectedGateway: `/infra/tier-1s/${T1}`, subnet: { gatewayAddress: "192.168.10.1/24" } }, FAST);
    expect(settled).toMatchObject({ displayName: "contoso VLAN 110", connectedGateway: `/infra/tier-1s/${T1}`, subnet: { gatewayAddress: "192.168.10.1/24" }, provisioningState: "Succeeded", status: "SUCCESS" });
    expect(emulator.operations(RG, CLOUD, "bh-contoso").map((op) => [op.action, op.status])).toEqual([["create", "Succeeded"], ["update", "Succeeded"], ["update", "Succeeded"]]);

    // A Tier-1 the cloud does not have, by path or by id, is refused as ARM refuses it.
    for (const gateway of ["/infra/tier-1s/TNT99-T1", "/infra/tier-0s/TNT42-T0"]) {
      const refused = await restError(client.workloadNetworks.beginUpdateSegments(RG, CLOUD, "bh-contoso", { connectedGateway: gateway }, FAST));
      expect(refused).toMatchObject({ statusCode: 400, code: "InvalidSegmentGateway" });
    }
    const badAddress = await restError(client.workloadNetworks.beginUpdateSegments(RG, CLOUD, "bh-contoso", { subnet: { gatewayAddress: "192.168.10.1" } }, FAST));
    expect(badAddress).toMatchObject({ statusCode: 400, code: "InvalidSegmentSubnet" });
  });

  test("a failed gateway update leaves the segment with its old gateway, marked Failed, and the reason in the operation", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 100 });
    const client = lab.client(emulator);
    await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-fail", { displayName: "fail" }, FAST);
    emulator.faults.add({ kind: "fail-operation", method: "PATCH", pathIncludes: "/segments/bh-fail" });
    const failed = await client.workloadNetworks
      .beginUpdateSegmentsAndWait(RG, CLOUD, "bh-fail", { connectedGateway: `/infra/tier-1s/${T1}`, subnet: { gatewayAddress: "192.168.10.1/24" } }, FAST)
      .then(() => null, (error: unknown) => error as Error);
    expect(failed?.message).toMatch(/update of segment 'bh-fail' failed in NSX-T/);
    const after = await client.workloadNetworks.getSegment(RG, CLOUD, "bh-fail");
    expect(after).toMatchObject({ provisioningState: "Failed", status: "FAILURE" });
    expect(after.connectedGateway).toBeUndefined();
    expect(after.subnet).toBeUndefined();
    expect(emulator.operations(RG, CLOUD, "bh-fail").at(-1)).toMatchObject({ action: "update", status: "Failed", connectedGateway: `/infra/tier-1s/${T1}` });
  });

  test("lists the VMs' ports on a segment (portVif) once they are connected", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 0 });
    const client = lab.client(emulator);
    await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-ports", { displayName: "ports" }, FAST);
    expect((await client.workloadNetworks.getSegment(RG, CLOUD, "bh-ports")).portVif).toEqual([]);
    emulator.outOfBand.setPorts(RG, CLOUD, "bh-ports", ["app-01", "db-01"]);
    expect((await client.workloadNetworks.getSegment(RG, CLOUD, "bh-ports")).portVif).toEqual([{ portName: "app-01" }, { portName: "db-01" }]);
  });

  test("listSegments follows nextLink until every segment is returned", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 0 });
    const client = lab.client(emulator);
    const names = ["bh-a", "bh-b", "bh-c", "bh-d", "bh-e"];
    await Promise.all(names.map((name) => client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, name, segmentBody(name), FAST)));

    const segments = await all(client.workloadNetworks.listSegments(RG, CLOUD));
    expect(segments.map((s) => s.name).sort()).toEqual(names);
    expect(segments.every((s) => s.provisioningState === "Succeeded")).toBe(true);
    const pages = emulator.requestLog.filter((r) => r.method === "GET" && /\/segments\?/.test(r.path));
    expect(pages.map((p) => /\$skipToken=(\d+)/.exec(p.path)?.[1] ?? "first")).toEqual(["first", "2", "4"]);

    const pagesSeen = [];
    for await (const onePage of client.workloadNetworks.listSegments(RG, CLOUD).byPage()) pagesSeen.push(onePage.length);
    expect(pagesSeen).toEqual([2, 2, 1]);
  });

  test("a second write while the segment is building is refused with 409 Conflict", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 60_000 });
    const client = lab.client(emulator);

    const poller = await client.workloadNetworks.beginCreateSegments(RG, CLOUD, "bh-slow", segmentBody("bh-slow"), FAST);
    expect(poller.isDone()).toBe(false);
    expect(poller.getOperationState().status).toBe("running");
    expect(emulator.segments(RG, CLOUD)).toEqual([expect.objectContaining({ name: "bh-slow", provisioningState: "Building" })]);
    expect((await client.workloadNetworks.getSegment(RG, CLOUD, "bh-slow")).status).toBeUndefined();

    const put = await restError(client.workloadNetworks.beginCreateSegments(RG, CLOUD, "bh-slow", segmentBody("other"), FAST));
    expect(put.statusCode).toBe(409);
    expect(put.code).toBe("Conflict");
    const del = await restError(client.workloadNetworks.beginDeleteSegment(RG, CLOUD, "bh-slow", FAST));
    expect(del.statusCode).toBe(409);
    expect(emulator.segments(RG, CLOUD)).toEqual([expect.objectContaining({ displayName: "bh-slow", provisioningState: "Building" })]);
  });

  test("deletes a segment through Location polling; deleting a missing one is 204", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 200 });
    const client = lab.client(emulator);
    await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-gone", segmentBody("bh-gone"), FAST);

    await client.workloadNetworks.beginDeleteSegmentAndWait(RG, CLOUD, "bh-gone", FAST);
    const log = emulator.requestLog;
    expect(log.find((r) => r.method === "DELETE")?.status).toBe(202);
    const results = log.filter((r) => r.path.includes("/locations/westeurope/operationResults/")).map((r) => r.status);
    expect(results.at(-1)).toBe(204);
    expect(results.slice(0, -1).every((s) => s === 202)).toBe(true);
    expect(emulator.segments(RG, CLOUD)).toEqual([]);
    expect((await restError(client.workloadNetworks.getSegment(RG, CLOUD, "bh-gone"))).statusCode).toBe(404);

    await client.workloadNetworks.beginDeleteSegmentAndWait(RG, CLOUD, "bh-gone", FAST);
    expect(emulator.requestLog.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([202, 204]);
  });

  test("unknown resources answer 404 with the ARM error envelope, surfaced as RestError", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const client = lab.client(emulator);

    const segment = await restError(client.workloadNetworks.getSegment(RG, CLOUD, "bh-nobody"));
    expect(segment.statusCode).toBe(404);
    expect(segment.code).toBe("ResourceNotFound");
    expect(segment.message).toContain("bh-nobody");
    expect(segment.response?.bodyAsText && JSON.parse(segment.response.bodyAsText)).toEqual({
      error: { code: "ResourceNotFound", message: segment.message },
    });

    const cloud = await restError(client.privateClouds.get(RG, "avs-nowhere"));
    expect([cloud.statusCode, cloud.code]).toEqual([404, "ResourceNotFound"]);
    const segments = await restError(all(client.workloadNetworks.listSegments(RG, "avs-nowhere")));
    expect([segments.statusCode, segments.code]).toEqual([404, "ResourceNotFound"]);
    const group = await restError(client.privateClouds.get("rg-nowhere", CLOUD));
    expect([group.statusCode, group.code]).toEqual([404, "ResourceGroupNotFound"]);
  });

  test("a wrong bearer token is 401 AuthenticationFailed; a wrong api-version is 400", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const error = await restError(lab.client(emulator, "not-the-token").privateClouds.get(RG, CLOUD));
    expect(error.statusCode).toBe(401);
    expect(error.code).toBe("AuthenticationFailed");

    const base = `${emulator.url}/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.AVS/privateClouds/${CLOUD}`;
    const noToken = await fetch(`${base}?api-version=2023-03-01`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: { code: "AuthenticationFailed", message: expect.any(String) } });

    const auth = { authorization: `Bearer ${emulator.token}` };
    for (const query of ["", "?api-version=2021-12-01"]) {
      const response = await fetch(`${base}${query}`, { headers: auth });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "InvalidApiVersionParameter", message: expect.any(String) } });
    }
    expect((await fetch(`${base}?api-version=2023-03-01`, { headers: auth })).status).toBe(200);
  });

  test("validates segment bodies: displayName, the cloud's own Tier-1 gateway, a CIDR gateway address", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 0 });
    const client = lab.client(emulator);
    const create = (body: Record<string, unknown>) => restError(client.workloadNetworks.beginCreateSegments(RG, CLOUD, "bh-x", body, FAST));

    const noName = await create({ connectedGateway: T1 });
    expect([noName.statusCode, noName.code]).toEqual([400, "InvalidRequestContent"]);
    expect(noName.message).toContain("displayName");

    const foreign = await create(segmentBody("bh-x", { connectedGateway: "TNT43-T1" })); // the other cloud's gateway
    expect([foreign.statusCode, foreign.code]).toEqual([400, "InvalidSegmentGateway"]);

    for (const gatewayAddress of ["192.168.10.1", "192.168.10.300/24", "192.168.10.1/33"]) {
      const subnet = await create(segmentBody("bh-x", { subnet: { gatewayAddress } }));
      expect([subnet.statusCode, subnet.code]).toEqual([400, "InvalidSegmentSubnet"]);
    }
    expect(emulator.segments(RG, CLOUD)).toEqual([]);

    const minimal = await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-x", { displayName: "bh-x" }, FAST);
    expect(minimal).toMatchObject({ displayName: "bh-x", provisioningState: "Succeeded" });
    expect(minimal.connectedGateway).toBeUndefined();
  });

  test("an injected 429 with Retry-After is retried by the SDK's throttling policy and succeeds", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const client = lab.client(emulator);
    emulator.faults.add({ kind: "throttle", method: "GET", pathIncludes: "/privateClouds/avs-weu-01", retryAfterSeconds: 1, times: 1 });

    const started = Date.now();
    const cloud = await client.privateClouds.get(RG, CLOUD);
    expect(cloud.name).toBe(CLOUD);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.requestLog.map((r) => r.status)).toEqual([429, 200]);
  });

  test("an injected 500 that outlasts the SDK's retries surfaces as RestError 500", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const client = lab.client(emulator);
    emulator.faults.add({ kind: "error", pathIncludes: "/segments", times: 5 });

    const error = await restError(all(client.workloadNetworks.listSegments(RG, CLOUD)));
    expect(error.statusCode).toBe(500);
    expect(error.code).toBe("InternalServerError");
    // One attempt and three retries (the SDK's default), each answered by the fault.
    expect(emulator.requestLog.map((r) => r.status)).toEqual([500, 500, 500, 500]);
    emulator.faults.clear();
    expect(await all(client.workloadNetworks.listSegments(RG, CLOUD))).toEqual([]);
  }, 20_000);

  test("fail-operation: the create LRO rejects and leaves the segment Failed; a new PUT rebuilds it", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 100 });
    const client = lab.client(emulator);
    emulator.faults.add({ kind: "fail-operation", method: "PUT", pathIncludes: "/segments/bh-doomed" });

    await expect(
      client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-doomed", segmentBody("bh-doomed"), FAST),
    ).rejects.toThrow(/long-running operation has failed.*OperationFailed/);
    const failed = await client.workloadNetworks.getSegment(RG, CLOUD, "bh-doomed");
    expect(failed).toMatchObject({ provisioningState: "Failed", status: "FAILURE" });

    // The fault was used up: the retry goes through an async operation again (200, not 201).
    const rebuilt = await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-doomed", segmentBody("bh-doomed"), FAST);
    expect(rebuilt).toMatchObject({ provisioningState: "Succeeded", status: "SUCCESS", revision: 1 });
    expect(emulator.requestLog.filter((r) => r.method === "PUT").map((r) => r.status)).toEqual([201, 200]);

    emulator.faults.add({ kind: "fail-operation", method: "DELETE" });
    const deletion = await restError(client.workloadNetworks.beginDeleteSegmentAndWait(RG, CLOUD, "bh-doomed", FAST));
    expect([deletion.statusCode, deletion.code]).toEqual([400, "OperationFailed"]);
    expect(emulator.segments(RG, CLOUD)).toEqual([expect.objectContaining({ name: "bh-doomed", provisioningState: "Failed" })]);
  });

  test("a restart mid-operation resumes it from the state file; a serialized poller picks it up", async ({ lab, expect }) => {
    const first = await lab.start({ operationMs: 1500 });
    const poller = await lab
      .client(first)
      .workloadNetworks.beginCreateSegments(RG, CLOUD, "bh-restart", segmentBody("bh-restart"), FAST);
    expect(poller.isDone()).toBe(false);
    const saved = poller.toString();
    await first.close();

    // Same port and token: to the SDK, the same endpoint that briefly went away.
    const port = Number(new URL(first.url).port);
    const second = await lab.start({ port, token: first.token });
    expect(second.segments(RG, CLOUD)).toEqual([expect.objectContaining({ name: "bh-restart", provisioningState: "Building" })]);

    const client = lab.client(second);
    const done = await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-restart", segmentBody("bh-restart"), {
      ...FAST,
      resumeFrom: saved,
    });
    expect(done).toMatchObject({ name: "bh-restart", provisioningState: "Succeeded" });
    expect(second.requestLog.some((r) => r.method === "PUT")).toBe(false);
    expect((await client.workloadNetworks.getSegment(RG, CLOUD, "bh-restart")).provisioningState).toBe("Succeeded");
  });

  test("state persists across restarts in an atomically written JSON file; a corrupt file is refused", async ({ lab, expect }) => {
    const first = await lab.start({ operationMs: 0 });
    await lab.client(first).workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, "bh-kept", segmentBody("bh-kept"), FAST);
    await first.close();
    expect(readdirSync(path.dirname(lab.stateFile))).toEqual(["state.json"]); // no temp files left behind
    expect(JSON.parse(readFileSync(lab.stateFile, "utf8")).clouds[0].segments).toEqual([
      expect.objectContaining({ segmentId: "bh-kept", provisioningState: "Succeeded" }),
    ]);

    const second = await lab.start();
    expect(second.token).not.toBe(first.token);
    expect((await lab.client(second).workloadNetworks.getSegment(RG, CLOUD, "bh-kept")).displayName).toBe("bh-kept");
    await second.close();

    writeFileSync(lab.stateFile, "{ not json");
    await expect(lab.start()).rejects.toThrow();
  });

  test("out-of-band changes, programmatic and over HTTP, are what the SDK then reads", async ({ lab, expect }) => {
    const emulator = await lab.start({ operationMs: 0 });
    const client = lab.client(emulator);
    for (const name of ["bh-one", "bh-two"]) {
      await client.workloadNetworks.beginCreateSegmentsAndWait(RG, CLOUD, name, segmentBody(name), FAST);
    }

    emulator.outOfBand.updateSegment("RG-AVS-DEMO", CLOUD, "bh-one", { displayName: "renamed in the portal", connectedGateway: null });
    const changed = await client.workloadNetworks.getSegment(RG, CLOUD, "bh-one");
    expect(changed).toMatchObject({ displayName: "renamed in the portal", revision: 1 });
    expect(changed.connectedGateway).toBeUndefined();

    emulator.outOfBand.deleteSegment(RG, CLOUD, "bh-one");
    const gone = await restError(client.workloadNetworks.getSegment(RG, CLOUD, "bh-one"));
    expect([gone.statusCode, gone.code]).toEqual([404, "ResourceNotFound"]);
    expect(() => emulator.outOfBand.deleteSegment(RG, CLOUD, "bh-one")).toThrow(/not found/);

    const post = (body: unknown) =>
      fetch(`${emulator.url}/_emulator/out-of-band`, {
        method: "POST",
        headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const update = await post({ action: "update-segment", resourceGroup: RG, privateCloud: CLOUD, segmentId: "bh-two", changes: { connectedGateway: "TNT99-T1" } });
    expect(update.status).toBe(200);
    expect(await client.workloadNetworks.getSegment(RG, CLOUD, "bh-two")).toMatchObject({ connectedGateway: "TNT99-T1", revision: 1 });
    expect((await post({ action: "delete-segment", resourceGroup: RG, privateCloud: CLOUD, segmentId: "bh-two" })).status).toBe(204);
    expect(await all(client.workloadNetworks.listSegments(RG, CLOUD))).toEqual([]);
    expect((await post({ action: "delete-segment", resourceGroup: RG, privateCloud: CLOUD, segmentId: "bh-two" })).status).toBe(404);
  });

  test("faults over HTTP: latency, clearing, and hangs that end by hangMs or by close()", async ({ lab, expect }) => {
    const emulator = await lab.start();
    const client = lab.client(emulator);
    const control = (method: string, body?: unknown) =>
      fetch(`${emulator.url}/_emulator/faults`, {
        method,
        headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    expect((await control("POST", { kind: "latency", latencyMs: 300, pathIncludes: "/gateways" })).status).toBe(200);
    const started = Date.now();
    await all(client.workloadNetworks.listGateways(RG, CLOUD));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.requestLog.at(-1)).toMatchObject({ method: "GET", status: 200, delayMs: 300 });

    expect((await control("POST", { kind: "error", status: 503, times: 100 })).status).toBe(200);
    expect((await control("DELETE")).status).toBe(204);
    // Cleared: neither the error nor any latency touches the next request.
    await client.privateClouds.get(RG, CLOUD);
    expect(emulator.requestLog.at(-1)).toMatchObject({ method: "GET", status: 200, delayMs: 0 });

    const invalid = await control("POST", { kind: "explode" });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe("InvalidRequestContent");
    expect(() => emulator.faults.add({ kind: "latency", latencyMs: -1 })).toThrow(/Invalid emulator fault/);

    const cloudUrl = `${emulator.url}/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.AVS/privateClouds/${CLOUD}?api-version=2023-03-01`;
    const auth = { headers: { authorization: `Bearer ${emulator.token}` } };
    emulator.faults.add({ kind: "hang", hangMs: 100 });
    await expect(fetch(cloudUrl, auth)).rejects.toThrow();
    expect(emulator.requestLog.at(-1)).toMatchObject({ method: "GET", status: 0 });

    emulator.faults.add({ kind: "hang" });
    const held = fetch(cloudUrl, auth);
    const outcome = Promise.race([held.then(() => "answered", () => "dropped"), new Promise((r) => setTimeout(r, 200, "still held"))]);
    expect(await outcome).toBe("still held");
    await emulator.close();
    await expect(held).rejects.toThrow();
  });
});
