/**
 * The simulated fleet against the real console process: the built app on PostgreSQL (the test
 * cannot open a running console's PGlite), with the demo tenants and their tokens seeded into
 * that database by the test, as the embedded mode's seed would, and read back the way the demo
 * fleet reads them.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokePreviousAgentToken, rotateAgentToken } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { DEMO_SCENARIOS, seedDemoData } from "@/lib/demo/seed";
import { listTenantEndpoints } from "@/lib/queries/tunnels";
import { forgetSecretsKey, getSecretsKey } from "@/lib/secrets";
import { startConsole, type ConsoleServer } from "@/tests/support/console-server";
import { createPostgresDatabase, postgresAvailable } from "@/tests/support/databases";
import { loadDemoAgents, loopbackUrl, startDemoFleet } from "./demo-fleet";
import { nextSlotAfter, startSimulatedFleet, type SimulatedAgent, type SimulatedFleet } from "./simulator";

const SECRETS_KEY = "fleet-test-secrets-key-".repeat(2);
const INTERVAL_MS = 400;
const BACKFILL_MS = 60_000;
const ENTRA = { ENTRA_TENANT_ID: "00000000-0000-4000-8000-00000000f1ee", ENTRA_CLIENT_ID: "00000000-0000-4000-8000-00000000c11e" };

describe.skipIf(!postgresAvailable())("the simulated fleet posting to the real console", () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DatabaseHandle;
  let server: ConsoleServer;
  let agents: SimulatedAgent[];
  let ca: Buffer;
  let secretsKey: Uint8Array;
  const fleets: SimulatedFleet[] = [];
  const slugOf = new Map<string, string>();

  beforeAll(async () => {
    database = await createPostgresDatabase();
    handle = await openDatabase({ kind: "postgres", url: database.url });
    forgetSecretsKey();
    secretsKey = getSecretsKey({ secretsKey: SECRETS_KEY, dataDir: "unused-with-a-secrets-key" });
    await seedDemoData(handle.db, { secretsKey });
    agents = await loadDemoAgents(handle.db, secretsKey);
    const rows = await handle.db
      .select({ id: tunnelEndpoints.id, slug: tenants.slug })
      .from(tunnelEndpoints)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .innerJoin(tenants, eq(tenants.id, tunnels.tenantId));
    for (const row of rows) slugOf.set(row.id, row.slug);
    // Signing in with Entra (never exercised here) keeps the console from seeding and from
    // running a demo fleet of its own: this test's fleet is the only one posting.
    server = await startConsole({ DATABASE_URL: database.url, SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY, ...ENTRA });
    ca = fs.readFileSync(path.join(server.dataDir, "tls", "self-signed-cert.pem"));
  });

  afterAll(async () => {
    for (const fleet of fleets) await fleet.stop();
    forgetSecretsKey();
    if (server) await server.stop();
    await handle?.close();
    await database?.drop();
  });

  const postDirect = (token: string, sample: object) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(sample);
      https
        .request(new URL("/api/v1/telemetry", server.url), { method: "POST", ca, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
        .on("error", reject)
        .end(body);
    });

  const samplesOf = (slug: string) =>
    handle.db
      .select()
      .from(telemetrySamples)
      .where(inArray(telemetrySamples.endpointId, agents.filter((a) => slugOf.get(a.endpointId) === slug).map((a) => a.endpointId)));

  it("sends every demo agent's history and then a sample per interval, through the API, trusting only the console's certificate", async () => {
    expect(agents.length).toBeGreaterThanOrEqual(20);
    expect(new Set(agents.map((a) => a.scenario))).toEqual(new Set(Object.values(DEMO_SCENARIOS)));
    const fleet = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: BACKFILL_MS, ca });
    fleets.push(fleet);
    await fleet.backfilled;
    // Then live samples, one per interval from every agent.
    await expect.poll(() => fleet.stats().accepted, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(agents.length * (BACKFILL_MS / INTERVAL_MS + 5));
    await fleet.stop();

    const stats = fleet.stats();
    expect(stats).toMatchObject({ refused: 0, failures: 0, duplicates: 0, lastError: null, backfilled: agents.length });
    const stored = await handle.db.select({ endpointId: telemetrySamples.endpointId, measuredAt: telemetrySamples.measuredAt }).from(telemetrySamples);
    expect(stored.length).toBe(stats.accepted);
    for (const agent of agents) {
      const own = stored.filter((row) => row.endpointId === agent.endpointId).map((row) => row.measuredAt.getTime()).sort((a, b) => a - b);
      // The backfill covers the minute before start on the agent's grid, then live samples follow.
      expect(own.length).toBeGreaterThanOrEqual(BACKFILL_MS / INTERVAL_MS + 3);
      expect(own.at(-1)! - own[0]!).toBeGreaterThanOrEqual(BACKFILL_MS);
      expect(new Set(own.map((t) => t % INTERVAL_MS)).size).toBe(1);
    }
    const [endpoint] = await handle.db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, agents[0]!.endpointId));
    expect(endpoint!.lastSampleAt).not.toBeNull();
  });

  it("stores each scenario's signature as the console received it", async () => {
    const down = await samplesOf("proseware");
    expect(down.length).toBeGreaterThan(0);
    expect(down.every((s) => s.lossPct === 100 && s.rttMs === null && s.dfProbeOk === false)).toBe(true);

    const storm = await samplesOf("alpine");
    expect(storm.every((s) => s.bumPps! >= 10_000)).toBe(true);

    // Full tunnel packets (the underlay MTU, 1500) are what the agent probes with.
    const blackHole = await samplesOf("woodgrove");
    expect(blackHole.every((s) => s.dfProbeOk === false && s.dfProbeBytes === 1500 && s.rttMs !== null)).toBe(true);

    const healthy = await samplesOf("contoso");
    expect(healthy.every((s) => s.dfProbeOk === true && s.rttMs! >= 5 && s.lossPct! < 1)).toBe(true);
    const rtts = healthy.map((s) => s.rttMs!).sort((a, b) => a - b);
    expect(rtts[Math.floor(rtts.length / 2)]).toBeGreaterThanOrEqual(8);
    expect(rtts[Math.floor(rtts.length / 2)]).toBeLessThanOrEqual(27);
    expect(healthy[0]!.path!.at(-1)).toMatchObject({ address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });

    const asymmetric = await samplesOf("tailspin");
    const tailspinSides = new Map(agents.map((a) => [a.endpointId, a.side]));
    const hops = (side: "source" | "avs") =>
      new Set(asymmetric.filter((s) => tailspinSides.get(s.endpointId) === side).flatMap((s) => s.path!.slice(1, -1).map((h) => h.address).filter(Boolean)));
    expect([...hops("avs")].filter((hop) => hops("source").has(hop))).toEqual([]);
  });

  it("re-sends the same samples after a restart, which the console counts as duplicates", async () => {
    const before = (await handle.db.select({ endpointId: telemetrySamples.endpointId }).from(telemetrySamples)).length;
    const restarted = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: BACKFILL_MS, ca });
    fleets.push(restarted);
    await restarted.backfilled;
    await restarted.stop();
    const stats = restarted.stats();
    expect(stats.duplicates).toBeGreaterThanOrEqual(agents.length * (BACKFILL_MS / INTERVAL_MS - 10));
    const after = (await handle.db.select({ endpointId: telemetrySamples.endpointId }).from(telemetrySamples)).length;
    expect(after - before).toBe(stats.accepted);
  });

  it("waits out a 429 and then delivers what it held back", async () => {
    const agent = agents.find((a) => slugOf.get(a.endpointId) === "contoso" && a.side === "source")!;
    // Another sender with the same token keeps the agent's allowance (20 burst, 2 a second) spent.
    let draining = true;
    const spent = (async () => {
      for (let n = 0; draining; n++) {
        await Promise.all(Array.from({ length: 4 }, (_, i) => postDirect(agent.token, { measuredAt: new Date(Date.now() - 3_600_000 - (n * 4 + i) * 1000).toISOString() })));
      }
    })();
    const logged: string[] = [];
    const eager = startSimulatedFleet({ consoleUrl: server.url, agents: [agent], intervalMs: 100, backfillMs: 0, ca, log: (m) => logged.push(m) });
    fleets.push(eager);
    try {
      await expect.poll(() => eager.stats().rateLimited, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    } finally {
      draining = false;
      await spent;
    }
    // After Retry-After, one request carries everything measured meanwhile.
    await expect.poll(() => eager.stats().accepted, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(5);
    await eager.stop();
    const stats = eager.stats();
    expect(stats).toMatchObject({ refused: 0, failures: 0 });
    expect(stats.accepted).toBeGreaterThan(stats.requests);
    expect(logged).toEqual([]);
  });

  it("reports a refused token without crashing and keeps the others posting", async () => {
    const logged: string[] = [];
    const good = agents[0]!;
    const revoked = { ...good, endpointId: "revoked", token: `agt_${"x".repeat(43)}` };
    const fleet = startSimulatedFleet({ consoleUrl: server.url, agents: [revoked, good], intervalMs: INTERVAL_MS, backfillMs: 5_000, ca, log: (m) => logged.push(m) });
    fleets.push(fleet);
    await fleet.backfilled;
    await fleet.stop();
    const stats = fleet.stats();
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.requests).toBeGreaterThanOrEqual(1);
    expect(logged).toEqual([expect.stringMatching(/^agent revoked \((source|avs)\): refused with 401/)]);
  });

  it("refuses to connect to a console whose certificate it was not told to trust", async () => {
    const logged: string[] = [];
    const fleet = startSimulatedFleet({ consoleUrl: server.url, agents: [agents[0]!], intervalMs: INTERVAL_MS, backfillMs: 2_000, log: (m) => logged.push(m) });
    fleets.push(fleet);
    await fleet.backfilled;
    await fleet.stop();
    expect(fleet.stats()).toMatchObject({ requests: 0, failures: 1 });
    expect(logged[0]).toMatch(/cannot reach the console: .*(self.signed|certificate)/i);
  });

  it("startDemoFleet finds the demo agents, their tokens and the console's own certificate from its configuration", async () => {
    const config = readConfig({ DATA_DIR: server.dataDir, HOST: "0.0.0.0", PORT: new URL(server.url).port, DATABASE_URL: database.url, SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY, ...ENTRA });
    const logged: string[] = [];
    const fleet = await startDemoFleet(handle.db, config, { intervalMs: INTERVAL_MS, backfillMs: 4_000, log: (m) => logged.push(m) });
    fleets.push(fleet);
    await fleet.backfilled;
    await fleet.stop();
    expect(fleet.stats()).toMatchObject({ agents: agents.length, refused: 0, failures: 0 });
    expect(fleet.stats().requests).toBeGreaterThanOrEqual(agents.length);
    expect(logged).toEqual([`${agents.length} simulated agents posting to ${server.url} every 0.4 s`]);
  });

  it("keeps posting through a rotation: the old token during the grace window, then the new one once the old is revoked", async () => {
    const config = readConfig({ DATA_DIR: server.dataDir, HOST: "127.0.0.1", PORT: new URL(server.url).port, DATABASE_URL: database.url, SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY, ...ENTRA });
    const target = agents.find((a) => slugOf.get(a.endpointId) === "wingtip" && a.side === "source")!;
    const [{ tenantId }] = await handle.db.select({ tenantId: tunnels.tenantId }).from(tunnelEndpoints).innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId)).where(eq(tunnelEndpoints.id, target.endpointId)) as [{ tenantId: string }];
    const tokenInUse = async () => (await listTenantEndpoints(handle.db, tenantId)).find((e) => e.id === target.endpointId)!.tokenInUse;
    const logged: string[] = [];
    const fleet = await startDemoFleet(handle.db, config, { intervalMs: INTERVAL_MS, backfillMs: 0, log: (m) => logged.push(m) });
    fleets.push(fleet);

    const rotated = await rotateAgentToken(handle.db, null, target.endpointId, { secretsKey, graceHours: 24 });
    expect(rotated).toMatchObject({ ok: true });
    // The agent was not told: it goes on with its old token, which the grace window honours.
    await expect.poll(tokenInUse, { timeout: 30_000, interval: 100 }).toBe("previous");
    expect(await revokePreviousAgentToken(handle.db, null, target.endpointId)).toMatchObject({ ok: true });
    // Refused, it reads the endpoint's token back (a redeploy, in the demo) and carries on.
    await expect.poll(tokenInUse, { timeout: 30_000, interval: 100 }).toBe("current");
    await fleet.stop();
    expect(logged).toContain(`agent ${target.endpointId} (source): token was rotated; now using the new one`);
    expect(fleet.stats()).toMatchObject({ refused: 0, failures: 0 });
  });
});

describe("loopbackUrl", () => {
  it("reaches a console listening on every address through loopback, IPv6 in brackets", () => {
    const tls = { enabled: true };
    expect(loopbackUrl({ host: "0.0.0.0", port: 3000, tls })).toBe("https://127.0.0.1:3000");
    expect(loopbackUrl({ host: "::", port: 3000, tls })).toBe("https://[::1]:3000");
    expect(loopbackUrl({ host: "::1", port: 8443, tls })).toBe("https://[::1]:8443");
    expect(loopbackUrl({ host: "127.0.0.1", port: 80, tls: { enabled: false } })).toBe("http://127.0.0.1:80");
  });
});

describe("nextSlotAfter", () => {
  // Agent grid: 250 + k × 1000 ms.
  it("gives the slot after the one just measured when the timer fired early, not the same slot again", () => {
    const measured = 5_250;
    expect(nextSlotAfter(Math.max(measured, measured - 1), 250, 1_000)).toBe(6_250);
    expect(nextSlotAfter(measured - 1, 250, 1_000)).toBe(measured);
  });

  it("skips the slots a late timer missed, and is strictly after a time on the grid", () => {
    expect(nextSlotAfter(Math.max(5_250, 7_900), 250, 1_000)).toBe(8_250);
    expect(nextSlotAfter(8_250, 250, 1_000)).toBe(9_250);
    expect(nextSlotAfter(0, 250, 1_000)).toBe(250);
  });
});
