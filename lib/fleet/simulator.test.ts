/**
 * The simulated fleet against the real console process: the built app on PostgreSQL (the test
 * cannot open a running console's PGlite), with the demo tenants and their tokens seeded into
 * that database by the test, as the embedded mode's seed would, and read back the way the demo
 * fleet reads them.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { and, eq, gte, inArray } from "drizzle-orm";
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
import { loadDemoAgents, loopbackUrl, startDemoFleet } from "@/lib/demo/fleet";
import { judgeAnswer, startSimulatedFleet, type SimulatedAgent, type SimulatedFleet } from "./simulator";

const SECRETS_KEY = "fleet-test-secrets-key-".repeat(2);
const INTERVAL_MS = 400;
const BACKFILL_MS = 60_000;
const ENTRA = { ENTRA_TENANT_ID: "00000000-0000-4000-8000-00000000f1ee", ENTRA_CLIENT_ID: "00000000-0000-4000-8000-00000000c11e" };

// Polls wait up to 90 s on a loaded machine; the tests get room for that.
describe.skipIf(!postgresAvailable())("the simulated fleet posting to the real console", { timeout: 180_000 }, () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DatabaseHandle;
  let server: ConsoleServer;
  let agents: SimulatedAgent[];
  let ca: Buffer;
  const fleets: SimulatedFleet[] = [];
  const slugOf = new Map<string, string>();

  beforeAll(async () => {
    database = await createPostgresDatabase();
    handle = await openDatabase({ kind: "postgres", url: database.url });
    forgetSecretsKey();
    const secretsKey = getSecretsKey({ secretsKey: SECRETS_KEY, dataDir: "unused-with-a-secrets-key" });
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

  /** What the console stored from a tenant's agents measured since `since`. */
  const samplesSince = (slug: string, since: Date) =>
    handle.db
      .select()
      .from(telemetrySamples)
      .where(
        and(
          inArray(telemetrySamples.endpointId, agents.filter((a) => slugOf.get(a.endpointId) === slug).map((a) => a.endpointId)),
          gte(telemetrySamples.measuredAt, since),
        ),
      );

  it("sends every demo agent's history and then a sample per interval, through the API, trusting only the console's certificate", async () => {
    expect(agents.length).toBeGreaterThanOrEqual(20);
    expect(new Set(agents.map((a) => a.scenario))).toEqual(new Set(Object.values(DEMO_SCENARIOS)));
    const fleet = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: BACKFILL_MS, ca });
    fleets.push(fleet);
    await fleet.backfilled;
    // Then live samples, one per interval from every agent.
    await expect.poll(() => fleet.stats().accepted, { timeout: 90_000, interval: 100 }).toBeGreaterThanOrEqual(agents.length * (BACKFILL_MS / INTERVAL_MS + 5));
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
    // A fleet of its own, and only what it measured: other tests post hand-made samples too.
    const since = new Date(Date.now() - 20_000);
    const fleet = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: 15_000, ca });
    fleets.push(fleet);
    await fleet.backfilled;
    await fleet.stop();
    expect(fleet.stats()).toMatchObject({ refused: 0, failures: 0 });
    const samplesOf = (slug: string) => samplesSince(slug, since);

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
    // Both runs start at the same moment on their own clock (ten minutes back, which no other
    // test measures), so the restarted fleet's history is exactly the first one's.
    const origin = Date.now() - 10 * 60_000;
    const clockFrom = (startedAt: number) => () => origin + (Date.now() - startedAt);
    const first = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: BACKFILL_MS, ca, now: clockFrom(Date.now()) });
    fleets.push(first);
    await first.backfilled;
    await first.stop();
    expect(first.stats()).toMatchObject({ refused: 0, failures: 0 });

    const before = (await handle.db.select({ endpointId: telemetrySamples.endpointId }).from(telemetrySamples)).length;
    const restarted = startSimulatedFleet({ consoleUrl: server.url, agents, intervalMs: INTERVAL_MS, backfillMs: BACKFILL_MS, ca, now: clockFrom(Date.now()) });
    fleets.push(restarted);
    await restarted.backfilled;
    await restarted.stop();
    const stats = restarted.stats();
    expect(stats.duplicates).toBeGreaterThanOrEqual(agents.length * (BACKFILL_MS / INTERVAL_MS));
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
      await expect.poll(() => eager.stats().rateLimited, { timeout: 90_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    } finally {
      draining = false;
      await spent;
    }
    // After Retry-After, one request carries everything measured meanwhile.
    await expect.poll(() => eager.stats().accepted, { timeout: 90_000, interval: 50 }).toBeGreaterThanOrEqual(5);
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

  it("goes on with its old token through a rotation's grace window, and is refused (once, logged) when the old token is revoked", async () => {
    const config = readConfig({ DATA_DIR: server.dataDir, HOST: "127.0.0.1", PORT: new URL(server.url).port, DATABASE_URL: database.url, SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY, ...ENTRA });
    const target = agents.find((a) => slugOf.get(a.endpointId) === "wingtip" && a.side === "source")!;
    const [row] = await handle.db.select({ tenantId: tunnels.tenantId }).from(tunnelEndpoints).innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId)).where(eq(tunnelEndpoints.id, target.endpointId));
    const tokenInUse = async () => (await listTenantEndpoints(handle.db, row!.tenantId)).find((e) => e.id === target.endpointId)!.tokenInUse;
    const logged: string[] = [];
    const fleet = await startDemoFleet(handle.db, config, { intervalMs: INTERVAL_MS, backfillMs: 0, log: (m) => logged.push(m) });
    fleets.push(fleet);

    const secretsKey = getSecretsKey({ secretsKey: SECRETS_KEY, dataDir: "unused-with-a-secrets-key" });
    expect(await rotateAgentToken(handle.db, null, target.endpointId, { secretsKey, graceHours: 24 })).toMatchObject({ ok: true });
    // The agent was not told: it goes on with its old token, which the grace window honours.
    await expect.poll(tokenInUse, { timeout: 60_000, interval: 100 }).toBe("previous");
    expect(fleet.stats()).toMatchObject({ refused: 0, failures: 0 });
    expect(await revokePreviousAgentToken(handle.db, null, target.endpointId)).toMatchObject({ ok: true });
    // Revoked, the old token is refused: the agent drops what it holds, says so once, and the others post on.
    await expect.poll(() => fleet.stats().refused, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    const requestsAfterRevoke = fleet.stats().requests;
    await expect.poll(() => fleet.stats().requests, { timeout: 60_000, interval: 100 }).toBeGreaterThan(requestsAfterRevoke + agents.length);
    await fleet.stop();
    expect(await tokenInUse()).toBe("retired");
    const refusals = logged.filter((m) => m.startsWith(`agent ${target.endpointId} (source): refused with 401`));
    expect(refusals).toHaveLength(1);
    expect(fleet.stats().failures).toBe(0);
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

describe("an agent's schedule", { timeout: 180_000 }, () => {
  /** A receiver that accepts everything and keeps each token's measuredAt values in arrival order. */
  async function startReceiver() {
    const received = new Map<string, number[]>();
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk));
      request.on("end", () => {
        const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
        const { samples } = JSON.parse(body) as { samples: Array<{ measuredAt: string }> };
        const times = received.get(token) ?? [];
        times.push(...samples.map((s) => Date.parse(s.measuredAt)));
        received.set(token, times);
        response.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ accepted: samples.length, duplicates: 0 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  const facts = { innerMtu: 1450, underlayMtu: 1500, sourceUnderlayIp: "198.51.100.10", avsUnderlayIp: "10.120.8.10" };
  const agent = (n: number): SimulatedAgent => ({ endpointId: `endpoint-${n}`, token: `agt_${n}`, side: n % 2 ? "avs" : "source", scenario: "healthy", tunnel: facts });

  it("measures each slot once and in order, even when its timer fires before the clock reaches the slot", async () => {
    const receiver = await startReceiver();
    const intervalMs = 25;
    // A clock that ticks in 10 ms steps reads short of a slot for up to 10 ms after its timer
    // fired: what a timer firing a millisecond before Date.now() reaches its slot looks like.
    const coarse = () => Math.floor(Date.now() / 10) * 10;
    const fleet = startSimulatedFleet({ consoleUrl: receiver.url, agents: [agent(1), agent(2)], intervalMs, backfillMs: 0, now: coarse, log: () => {} });
    try {
      await expect.poll(() => Math.min(...[1, 2].map((n) => receiver.received.get(`agt_${n}`)?.length ?? 0)), { timeout: 90_000, interval: 20 }).toBeGreaterThanOrEqual(20);
    } finally {
      await fleet.stop();
      await receiver.close();
    }
    for (const [token, times] of receiver.received) {
      const steps = times.slice(1).map((t, i) => t - times[i]!);
      // Strictly later every time, on the agent's grid: a slot a stalled process overslept may be
      // skipped, but none is ever sent twice.
      expect(steps.filter((step) => step <= 0 || step % intervalMs !== 0), token).toEqual([]);
    }
    expect(fleet.stats()).toMatchObject({ duplicates: 0, failures: 0, refused: 0 });
  });
});

describe("judgeAnswer", () => {
  const answer = (status: number, body = "", retryAfter?: string) => ({ status, body, retryAfter });

  it("counts what the console took and what it already had", () => {
    expect(judgeAnswer(answer(202, '{"accepted":3,"duplicates":2}'))).toEqual({ kind: "accepted", accepted: 3, duplicates: 2 });
    expect(judgeAnswer(answer(202, "not json"))).toEqual({ kind: "accepted", accepted: 0, duplicates: 0 });
  });

  it("waits out a 429 as long as Retry-After says, a second when it says nothing usable", () => {
    expect(judgeAnswer(answer(429, "", "7"))).toEqual({ kind: "wait", ms: 7_000 });
    for (const retryAfter of [undefined, "soon", "-3", "0"]) expect(judgeAnswer(answer(429, "", retryAfter))).toEqual({ kind: "wait", ms: 1_000 });
  });

  it("keeps the samples through a 5xx and drops what the console refuses, the whole queue on a 401", () => {
    expect(judgeAnswer(answer(503))).toMatchObject({ kind: "keep" });
    expect(judgeAnswer(answer(400, '{"error":"bad rttMs"}'))).toEqual({ kind: "drop", message: 'refused with 400: {"error":"bad rttMs"}', all: false });
    expect(judgeAnswer(answer(413))).toMatchObject({ kind: "drop", all: false });
    expect(judgeAnswer(answer(401))).toMatchObject({ kind: "drop", all: true });
  });
});
