/**
 * The agents' posts answered by plain Node in front of Next (lib/server/telemetry-fast-path.ts)
 * must be indistinguishable from Next's route (app/api/v1/telemetry/route.ts): every case is sent
 * through both doors, the route called as Next calls it and the fast path over real HTTP through
 * the console's request listener, and the answers compared. The listener's "Next" here throws,
 * so a post that reached it would be answered 500.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);
// The real writer, with a way to make one call fail as the database can (behind, or too slow).
vi.mock("@/lib/telemetry/ingest", async (original) => {
  const real = await original<typeof import("@/lib/telemetry/ingest")>();
  return { ...real, ingestSamples: vi.fn(real.ingestSamples) };
});

// The real look-up, with a way to hold one back, as a busy database does.
vi.mock("@/lib/auth/agent", async (original) => {
  const real = await original<typeof import("@/lib/auth/agent")>();
  return { ...real, authenticateAgent: vi.fn(real.authenticateAgent) };
});

import net from "node:net";
import { POST as nextRoute } from "@/app/api/v1/telemetry/route";
import { postsInProgress } from "@/lib/api/telemetry-post";
import { authenticateAgent } from "@/lib/auth/agent";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tunnelEndpoints } from "@/lib/db/schema";
import { processMetrics } from "@/lib/metrics/registry";
import { GroupCommitExpired } from "@/lib/server/group-commit";
import { PostsInProgress } from "@/lib/server/posts-in-progress";
import { createRequestListener } from "@/lib/server/request-listener";
import { telemetryFastPath } from "@/lib/server/telemetry-fast-path";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { MAX_BATCH } from "@/lib/validation/telemetry";
import { CONSOLE_ORIGIN, useTestApp } from "./support/personas";
import { agentSample } from "./support/telemetry-fixtures";

let db: Database;
let server: http.Server;
let port: number;
let endpoints: string[] = [];
/** Kept-alive connections, as an agent keeps them: the server decides when one closes. */
const keepAlive = new http.Agent({ keepAlive: true });
/** Every request the stand-in for Next was given. */
const reachedNext: string[] = [];
/** What the listener noted (a client that left) and logged as failures; `listenerSaid` is told of each. */
const listenerNotes: string[] = [];
const listenerFailures: unknown[] = [];
let listenerSaid = () => {};

beforeAll(async () => {
  db = await useTestApp();
  endpoints = (await db.select({ id: tunnelEndpoints.id }).from(tunnelEndpoints)).map((row) => row.id);
  const listener = createRequestListener({
    https: false,
    log: (_message, error) => {
      listenerFailures.push(error);
      listenerSaid();
    },
    note: (message) => {
      listenerNotes.push(message);
      listenerSaid();
    },
    fastPaths: [telemetryFastPath],
    handle: async (req) => {
      reachedNext.push(`${req.method} ${req.url}`);
      throw new Error("Next is not running in this test");
    },
  });
  server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  keepAlive.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  vi.useRealTimers();
});

let nextEndpoint = 0;
/** A fresh agent token on an endpoint no other test posts for. */
async function freshAgent(): Promise<{ token: string; endpointId: string }> {
  const endpointId = endpoints[nextEndpoint++];
  if (!endpointId) throw new Error("the demo seed has too few endpoints for this file");
  const token = newBearerToken("agt");
  await db.update(tunnelEndpoints).set({ agentTokenHash: hashToken(token) }).where(eq(tunnelEndpoints.id, endpointId));
  return { token, endpointId };
}

type Seen = { status: number; headers: Record<string, string | null>; body: unknown };
/** The headers an agent or a cache acts on; `date` and the connection's own differ by nature. */
const COMPARED = ["content-type", "cache-control", "retry-after", "www-authenticate"];

async function seen(status: number, header: (name: string) => string | null, text: string): Promise<Seen> {
  const json = /json/.test(header("content-type") ?? "");
  return { status, headers: Object.fromEntries(COMPARED.map((name) => [name, header(name)])), body: json ? (JSON.parse(text) as unknown) : text };
}

function headersOf(token: string | null): Record<string, string> {
  return { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** Through Next's route handler, as Next calls it. */
async function viaNext(token: string | null, body: string | ReadableStream<Uint8Array>): Promise<Seen> {
  const request = new Request(`${CONSOLE_ORIGIN}/api/v1/telemetry`, { method: "POST", headers: headersOf(token), body, duplex: "half" } as RequestInit);
  const response = await nextRoute(request, { params: Promise.resolve({}) });
  return seen(response.status, (name) => response.headers.get(name), await response.text());
}

type NodeAnswer = Seen & { raw: http.IncomingMessage };
/** Over HTTP to the listener; `chunks` streams the body without a Content-Length. */
function viaNode(token: string | null, body: string | string[], path = "/api/v1/telemetry"): Promise<NodeAnswer> {
  return new Promise((resolve, reject) => {
    const streamed = Array.isArray(body);
    const headers: Record<string, string> = { ...headersOf(token), ...(streamed ? {} : { "content-length": String(Buffer.byteLength(body)) }) };
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        void seen(res.statusCode ?? 0, (name) => (res.headers[name] as string | undefined) ?? null, text).then((s) => resolve({ ...s, raw: res }));
      });
      res.on("error", reject);
    });
    // The server may answer and close before the whole of an oversized body is sent.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    if (streamed) for (const chunk of body) req.write(chunk);
    req.end(streamed ? undefined : body);
  });
}

function expectSame(node: NodeAnswer, next: Seen, status: number) {
  expect(next.status).toBe(status);
  expect({ status: node.status, headers: node.headers, body: node.body }).toEqual(next);
}

async function storedFor(endpointId: string) {
  return db.select().from(telemetrySamples).where(eq(telemetrySamples.endpointId, endpointId));
}

describe("POST /api/v1/telemetry through the Node fast path and through Next's route", () => {
  it("stores a batch and a single sample the same way, and counts a re-send through the other door as duplicates", async () => {
    const [a, b] = [await freshAgent(), await freshAgent()];
    const batchA = JSON.stringify({ samples: [agentSample(3), agentSample(2), agentSample(1)] });
    const batchB = JSON.stringify({ samples: [agentSample(3.5), agentSample(2.5), agentSample(1.5)] });
    const stored = processMetrics().ingestSamples;
    const storedBefore = (await stored.get()).values.find((v) => v.labels.result === "stored")?.value ?? 0;
    const node = await viaNode(b.token, batchB);
    expectSame(node, await viaNext(a.token, batchA), 202);
    expect(node.body).toEqual({ accepted: 3, duplicates: 0 });
    expect(await storedFor(b.endpointId)).toHaveLength(3);
    // The fast path counts what it stored in the same process metrics the route does.
    expect((await stored.get()).values.find((v) => v.labels.result === "stored")?.value).toBe(storedBefore + 6);

    // Each batch again, through the door it did not come through first.
    const again = await viaNode(a.token, batchA);
    expectSame(again, await viaNext(b.token, batchB), 202);
    expect(again.body).toEqual({ accepted: 0, duplicates: 3 });
    expect(await storedFor(a.endpointId)).toHaveLength(3);

    const [c, d] = [await freshAgent(), await freshAgent()];
    const one = await viaNode(d.token, JSON.stringify(agentSample(1, { rttMs: 40 })));
    expectSame(one, await viaNext(c.token, JSON.stringify(agentSample(1, { rttMs: 40 }))), 202);
    expect(one.body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await storedFor(d.endpointId))[0]).toMatchObject({ rttMs: 40 });
    // Answered by the fast path, with the console's security headers, and never by Next.
    expect(one.raw.headers["x-frame-options"]).toBe("DENY");
    expect(one.raw.headers["content-security-policy"]).toMatch(/^default-src 'none'/);
    expect(reachedNext.filter((r) => r.startsWith("POST"))).toEqual([]);
  });

  it("refuses a missing, unknown or malformed agent token with the same 401 and challenge", async () => {
    const body = JSON.stringify({ samples: [agentSample(1)] });
    for (const token of [null, `agt_${"x".repeat(43)}`, "not-an-agent-token"]) {
      const node = await viaNode(token, body);
      expectSame(node, await viaNext(token, body), 401);
      expect(node.headers["www-authenticate"]).toBe('Bearer realm="bridgehead-telemetry"');
    }
  });

  it("refuses a body over 1 MiB with 413, whether its length is declared or it streams past the cap", async () => {
    const { token, endpointId } = await freshAgent();
    const oversized = `{"samples":[${" ".repeat(1024 * 1024)}]}`;
    const declared = await viaNode(token, oversized);
    expectSame(declared, await viaNext(token, oversized), 413);
    expect(declared.body).toMatchObject({ error: "The body is over 1048576 bytes; send smaller batches." });
    // The rest of an unread body is not read to be thrown away: the connection closes. One
    // whose body was read whole stays open for the agent's next post.
    expect(declared.raw.headers.connection).toBe("close");
    expect((await viaNode(token, "{not json")).raw.headers.connection).toBe("keep-alive");

    const pieces = Array.from({ length: 20 }, () => " ".repeat(64 * 1024));
    const streamedNode = await viaNode(token, [`{"samples":[`, ...pieces, "]}"]);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of [`{"samples":[`, ...pieces, "]}"]) controller.enqueue(encoder.encode(piece));
        controller.close();
      },
    });
    expectSame(streamedNode, await viaNext(token, stream), 413);
    expect(await storedFor(endpointId)).toHaveLength(0);
  });

  it("refuses too many samples, a body that is not JSON and a bad field with the same 413 and 400s, storing nothing", async () => {
    const { token, endpointId } = await freshAgent();
    const tooMany = JSON.stringify({ samples: Array.from({ length: MAX_BATCH + 1 }, (_, i) => agentSample(i / 100)) });
    const many = await viaNode(token, tooMany);
    expectSame(many, await viaNext(token, tooMany), 413);
    expect(many.body).toMatchObject({ error: `A batch holds at most ${MAX_BATCH} samples; this one has ${MAX_BATCH + 1}. Send it in parts.` });

    const notJson = await viaNode(token, "{not json");
    expectSame(notJson, await viaNext(token, "{not json"), 400);
    expect(notJson.body).toMatchObject({ error: "The body is not JSON." });

    const badFields = JSON.stringify({ samples: [agentSample(2), agentSample(1, { rttMs: -4 }), agentSample(0.5, { measuredAt: "yesterday" })] });
    const bad = await viaNode(token, badFields);
    expectSame(bad, await viaNext(token, badFields), 400);
    expect(Object.keys((bad.body as { fields: Record<string, string[]> }).fields).sort()).toEqual(["samples.1.rttMs", "samples.2.measuredAt"]);

    // Past the schema, refused by time (the writer's own check): the same 400 naming the field.
    const future = JSON.stringify({ samples: [agentSample(-60)] });
    expectSame(await viaNode(token, future), await viaNext(token, future), 400);
    expect(await storedFor(endpointId)).toHaveLength(0);
  });

  it("limits an agent's rate once, whichever door its posts come through", async () => {
    // The clock stands still, so the bucket gains nothing back between posts: exactly its burst of 20 is let through.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const { token } = await freshAgent();
    // In the console, server.ts (the fast path) and Next's bundle (the route) load the modules as
    // separate copies; a second copy of the route, loaded afresh, stands for Next's here.
    vi.resetModules();
    const { POST: routeCopy } = await import("@/app/api/v1/telemetry/route");
    const viaCopy = async (body: string) =>
      (await routeCopy(new Request(`${CONSOLE_ORIGIN}/api/v1/telemetry`, { method: "POST", headers: headersOf(token), body }), { params: Promise.resolve({}) })).status;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await viaNext(token, JSON.stringify(agentSample(10 + i)))).status);
      statuses.push((await viaNode(token, JSON.stringify(agentSample(30 + i)))).status);
      if (i < 6) statuses.push(await viaCopy(JSON.stringify(agentSample(50 + i))));
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 202));
    // The 21st post is refused through any door: they share the one bucket per agent.
    const node = await viaNode(token, JSON.stringify(agentSample(70)));
    expectSame(node, await viaNext(token, JSON.stringify(agentSample(71))), 429);
    expect(node.headers["retry-after"]).toBe("1");
    expect(await viaCopy(JSON.stringify(agentSample(72)))).toBe(429);
  });

  it("answers 503 with Retry-After when the database is behind or cancels the statement, and 500 for anything else, as the route does", async () => {
    const { token } = await freshAgent();
    const fail = (error: unknown) => vi.mocked(ingestSamples).mockRejectedValueOnce(error).mockRejectedValueOnce(error);
    const body = JSON.stringify({ samples: [agentSample(1)] });
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      fail(new GroupCommitExpired(12, 31_000));
      const expired = await viaNode(token, body);
      expectSame(expired, await viaNext(token, body), 503);
      expect(expired.headers["retry-after"]).toBe("10");
      expect(expired.body).toMatchObject({ detail: "The database is behind: this call waited 31 s to be written and was not. Try again later." });

      fail(Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }));
      const cancelled = await viaNode(token, body);
      expectSame(cancelled, await viaNext(token, body), 503);
      expect(cancelled.headers["retry-after"]).toBe("5");

      fail(new Error("a bug"));
      const broken = await viaNode(token, body);
      expectSame(broken, await viaNext(token, body), 500);
      expect(broken.body).toMatchObject({ detail: "Internal error; see the server log." });
    } finally {
      quiet.mockRestore();
    }
  });

  it("turns a post away with 503 and Retry-After while the console has its limit of posts in progress, through either door, and takes posts again once one ends", async () => {
    const [a, b, c] = [await freshAgent(), await freshAgent(), await freshAgent()];
    const real = vi.mocked(ingestSamples).getMockImplementation()!;
    const configured = postsInProgress.get();
    postsInProgress.set(new PostsInProgress(1));
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    let holdingBack: net.Socket | undefined;
    try {
      // An agent that sends its head and holds its body back takes no place: it is counted only once its body is in.
      holdingBack = net.connect(port, "127.0.0.1");
      holdingBack.on("error", () => {});
      const started = new Promise<void>((resolve) => server.once("request", () => resolve()));
      holdingBack.write(`POST /api/v1/telemetry HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\nContent-Length: 100\r\n\r\n{`);
      await started;

      // a's post is the one in progress: its write is held, as a busy database holds it.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let writing!: () => void;
      const writeStarted = new Promise<void>((resolve) => (writing = resolve));
      vi.mocked(ingestSamples).mockImplementationOnce(async (...args) => {
        writing();
        await held;
        return real(...args);
      });
      const first = viaNode(a.token, JSON.stringify(agentSample(1)));
      await writeStarted;

      const bBody = JSON.stringify({ samples: [agentSample(2)] });
      const busy = await viaNode(b.token, bBody);
      expectSame(busy, await viaNext(b.token, bBody), 503);
      expect(busy.headers["retry-after"]).toBe("10");
      expect(busy.body).toMatchObject({ detail: "The console is busy: it is handling as many agents' posts as it takes at once (1). Nothing was stored; send the samples again later." });
      // Its body was read before it was turned away, so the agent's connection stays open for its next post.
      expect(busy.raw.headers.connection).toBe("keep-alive");
      expect(await storedFor(b.endpointId)).toHaveLength(0);
      // A caller without a valid token is refused as ever, and its body is not read for it.
      const stranger = await viaNode(`agt_${"x".repeat(43)}`, bBody);
      expectSame(stranger, await viaNext(`agt_${"x".repeat(43)}`, bBody), 401);

      release();
      expect((await first).status).toBe(202);
      // A post that fails ends too: its place is given back.
      vi.mocked(ingestSamples).mockRejectedValueOnce(new Error("a bug"));
      expect((await viaNode(b.token, bBody)).status).toBe(500);
      expect((await viaNode(b.token, bBody)).body).toEqual({ accepted: 1, duplicates: 0 });
      expect(await storedFor(b.endpointId)).toHaveLength(1);
      expect(postsInProgress.get()!.inProgress).toBe(0);
    } finally {
      holdingBack?.destroy();
      quiet.mockRestore();
      postsInProgress.set(configured);
    }
  });

  it("leaves every other method and path to Next", async () => {
    const { token } = await freshAgent();
    reachedNext.length = 0;
    // With a query string it is still the route's path.
    expect((await viaNode(token, JSON.stringify(agentSample(1)), "/api/v1/telemetry?via=test")).status).toBe(202);
    for (const path of ["/api/v1/telemetry/", "/api/v1/telemetryx", "/api/v1/tunnels"]) {
      expect((await viaNode(token, "{}", path)).status, path).toBe(500);
    }
    const get = await fetch(`http://127.0.0.1:${port}/api/v1/telemetry`);
    expect(get.status).toBe(500);
    expect(reachedNext).toEqual(["POST /api/v1/telemetry/", "POST /api/v1/telemetryx", "POST /api/v1/tunnels", "GET /api/v1/telemetry"]);
  });

  it("settles, answers nothing, logs no failure and stores nothing when the agent leaves while its token is looked up, or mid-body", async () => {
    const { token, endpointId } = await freshAgent();
    const failures: unknown[] = [];
    const quiet = vi.spyOn(console, "error").mockImplementation((message: unknown, error: unknown) => {
      if (message === "[route] failed:") failures.push(error);
    });
    listenerNotes.length = 0;
    listenerFailures.length = 0;
    /** The server's response to each post, to see that none was written. */
    const responses: http.ServerResponse[] = [];
    const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse) => responses.push(res);
    server.on("request", onRequest);
    /** Head and the first 10 bytes of a 1,000-byte body; the server's side of the connection. */
    const startPost = async () => {
      const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
      const socket = net.connect(port, "127.0.0.1");
      socket.on("error", () => {});
      socket.write(`POST /api/v1/telemetry HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n${"{".repeat(10)}`);
      return { socket, serverSide: await accepted };
    };
    const real = vi.mocked(authenticateAgent).getMockImplementation()!;
    try {
      // 1. The agent gives up while the look-up waits (its timeout, with the database behind).
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let lookingUp!: () => void;
      const lookupStarted = new Promise<void>((resolve) => (lookingUp = resolve));
      vi.mocked(authenticateAgent).mockImplementationOnce(async (...args) => {
        lookingUp();
        await held;
        return real(...args);
      });
      let settled = new Promise<void>((resolve) => (listenerSaid = resolve));
      const first = await startPost();
      await lookupStarted;
      const gone = new Promise((resolve) => first.serverSide.once("close", resolve));
      first.socket.destroy();
      await gone;
      release();
      await settled;
      expect(listenerNotes).toEqual(["[bridgehead] POST /api/v1/telemetry: the client left before its request was complete; not answered"]);

      // 2. The agent leaves once the body is being read.
      settled = new Promise<void>((resolve) => (listenerSaid = resolve));
      let found!: () => void;
      const lookedUp = new Promise<void>((resolve) => (found = resolve));
      vi.mocked(authenticateAgent).mockImplementationOnce(async (...args) => {
        const agent = await real(...args);
        found();
        return agent;
      });
      const second = await startPost();
      await lookedUp;
      // The fast path takes a rate token and starts reading before the server can see this.
      second.socket.destroy();
      await settled;
      expect(listenerNotes).toHaveLength(2);
      expect(listenerNotes[1]).toBe(listenerNotes[0]);
      // Neither was answered (no 500 into a closed socket), nor logged as a failure.
      expect(responses.map((res) => res.headersSent)).toEqual([false, false]);
      expect(listenerFailures).toEqual([]);
      expect(failures).toEqual([]);
      expect(await storedFor(endpointId)).toHaveLength(0);
      // The console goes on serving this agent.
      expect((await viaNode(token, JSON.stringify(agentSample(1)))).status).toBe(202);
    } finally {
      server.off("request", onRequest);
      listenerSaid = () => {};
      quiet.mockRestore();
    }
  });
});
