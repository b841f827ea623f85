import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ClientLeft } from "./client-left";
import { isTelemetryPost, readBoundedBody } from "./telemetry-fast-path";

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server whose one handler gets each request; resolves with the port. */
async function serve(onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<number> {
  server = http.createServer(onRequest);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A raw client: the request's head and the first part of a 1,000-byte body, then nothing more until told. */
function startPost(port: number): net.Socket {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write("POST /api/v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + "{".repeat(10));
  return socket;
}

const BODY_LISTENERS = ["data", "end", "error", "close"] as const;
const listenersOf = (req: http.IncomingMessage) => BODY_LISTENERS.map((name) => req.listenerCount(name));

describe("readBoundedBody", () => {
  // An agent gives up (its 10 s timeout) while the fast path still waits for the token look-up
  // or the rate limit, i.e. before the body is read: the request is already closed when the
  // reader starts. It must settle (reject), or the post is never answered, logged or counted.
  it("rejects when the client went away before the body was read", { timeout: 10_000 }, async () => {
    let reading: Promise<string | null> | undefined;
    const settled = new Promise<unknown>((resolve) => {
      void serve((req) => {
        req.once("close", () => {
          reading = readBoundedBody(req, 1024 * 1024);
          reading.then(resolve, resolve);
        });
      }).then((port) => {
        const socket = startPost(port);
        // The server has the request's head once its handler runs; then the agent leaves.
        server!.once("request", () => socket.destroy());
      });
    });
    const outcome = await settled;
    expect(outcome).toBeInstanceOf(ClientLeft);
    expect((outcome as Error).message).toMatch(/closed the connection before its body was complete/);
  });

  it("rejects when the client goes away mid-body, and leaves no listener on the request", async () => {
    let listenersBefore: number[] = [];
    let request: http.IncomingMessage | undefined;
    let socket: net.Socket | undefined;
    const outcome = await new Promise<unknown>((resolve) => {
      void serve((req) => {
        request = req;
        listenersBefore = listenersOf(req);
        readBoundedBody(req, 1024 * 1024).then(resolve, resolve);
        // The reader has its first bytes: the agent leaves with 990 still unsent.
        req.once("data", () => socket?.destroy());
      }).then((port) => (socket = startPost(port)));
    });
    // Node's "aborted" reset, as the client's leaving: the listener answers nothing and logs no failure.
    expect(outcome).toBeInstanceOf(ClientLeft);
    expect(listenersOf(request!)).toEqual(listenersBefore);
  });
});

describe("readBoundedBody, whole bodies", () => {
  /**
   * A raw client that streams the body in the parts given (chunked, no Content-Length), each
   * part sent once the server has read the one before, so each arrives as a chunk of its own.
   */
  async function readInParts(parts: Buffer[], limit = 1024 * 1024): Promise<{ text: string | null; reads: number }> {
    const frame = (i: number) => Buffer.concat([Buffer.from(`${parts[i]!.byteLength.toString(16)}\r\n`), parts[i]!, Buffer.from(i === parts.length - 1 ? "\r\n0\r\n\r\n" : "\r\n")]);
    let socket: net.Socket | undefined;
    let reads = 0;
    const text = await new Promise<string | null>((resolve, reject) => {
      void serve((req, res) => {
        req.on("data", () => {
          reads += 1;
          if (reads < parts.length) socket!.write(frame(reads));
        });
        readBoundedBody(req, limit).then((read) => {
          res.end();
          resolve(read);
        }, reject);
      }).then((port) => {
        socket = net.connect(port, "127.0.0.1");
        socket.on("error", () => {});
        socket.write("POST /api/v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        socket.write(frame(0));
      });
    });
    socket?.destroy();
    return { text, reads };
  }

  it("reads a body that comes in one chunk, and one that comes in several, to the same text", async () => {
    const body = JSON.stringify({ measuredAt: "2026-12-05T13:00:00.000Z", rttMs: 12.5, path: [{ ttl: 1, address: "10.0.0.1", rttMs: 0.4 }] });
    expect(await readInParts([Buffer.from(body)])).toEqual({ text: body, reads: 1 });
    const bytes = Buffer.from(body);
    expect(await readInParts([bytes.subarray(0, 10), bytes.subarray(10, 40), bytes.subarray(40)])).toEqual({ text: body, reads: 3 });
  });

  it("joins a character whose bytes are split between two chunks, rather than decoding each chunk alone", async () => {
    // "é" is two bytes in UTF-8 (c3 a9): decoded chunk by chunk they would be two replacement characters.
    const bytes = Buffer.from('{"reason":"é"}');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(await readInParts([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual({ text: '{"reason":"é"}', reads: 2 });
  });

  it("stops at the limit when a body streams past it, the first chunk alone under it", async () => {
    expect(await readInParts([Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)], 1_000)).toEqual({ text: null, reads: 2 });
  });
});

describe("isTelemetryPost", () => {
  const post = (url: string, method = "POST") => isTelemetryPost({ method, url } as http.IncomingMessage);

  it("takes POST to the exact path, with or without a query, and nothing that Next would route elsewhere", () => {
    expect(post("/api/v1/telemetry")).toBe(true);
    expect(post("/api/v1/telemetry?agent=1")).toBe(true);
    for (const url of ["/api/v1/telemetry/", "/api/v1/telemetry/../tunnels", "//api/v1/telemetry", "/api/v1/telemetry%2F", "/API/v1/telemetry", "/api/v1/telemetryx", "/api/v1/telemetry#x", "http://x/api/v1/telemetry"]) {
      expect(post(url), url).toBe(false);
    }
    for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "post"]) expect(post("/api/v1/telemetry", method), method).toBe(false);
  });
});
