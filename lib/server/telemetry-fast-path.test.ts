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
