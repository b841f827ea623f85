import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestListener, type RequestHandler } from "./request-listener";
import { readBoundedBody } from "./telemetry-fast-path";

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(listener: http.RequestListener) {
  server = http.createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
}

const identity = {
  prefix: "/oidc",
  contentSecurityPolicy: "default-src 'none'; style-src 'sha256-x'; frame-ancestors 'none'",
  handle: (async (_req, res) => {
    res.end("provider page");
  }) as RequestHandler,
};

describe("createRequestListener", () => {
  it("sends the security headers on a page's response, on a handler's own error status and on the listener's last-resort 500", async () => {
    const get = await serve(
      createRequestListener({
        https: true,
        identity,
        log: () => {},
        handle: async (req, res) => {
          if (req.url === "/crash") throw new Error("boom");
          if (req.url === "/missing") {
            res.writeHead(404, { "content-type": "application/json" }).end("{}");
            return;
          }
          res.end("ok");
        },
      }),
    );
    for (const [path, status] of [["/", 200], ["/missing", 404], ["/crash", 500]] as const) {
      const response = await get(path);
      expect(response.status, path).toBe(status);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(response.headers.get("permissions-policy"), path).toContain("camera=()");
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=31536000; includeSubDomains");
    }
  });

  it("gives the identity provider's pages their own CSP, and sends no HSTS over plain HTTP", async () => {
    const get = await serve(createRequestListener({ https: false, identity, handle: async (_req, res) => void res.end("next") }));
    const provider = await get("/oidc/interaction/abc");
    expect(await provider.text()).toBe("provider page");
    expect(provider.headers.get("content-security-policy")).toBe(identity.contentSecurityPolicy);
    expect(provider.headers.get("x-frame-options")).toBe("DENY");
    expect(provider.headers.get("strict-transport-security")).toBeNull();
    // A path that merely starts with the prefix is not the provider's.
    const other = await get("/oidcfoo");
    expect(await other.text()).toBe("next");
    expect(other.headers.get("content-security-policy")).toMatch(/^default-src 'none'; frame-ancestors 'none'/);
  });

  it("answers a fast path's requests before Next, with the same headers and the same last-resort 500", async () => {
    const fastPaths = [
      {
        // Greedy on purpose: the identity provider's mount still goes to the provider.
        matches: (req: http.IncomingMessage) => req.url === "/fast" || req.url?.startsWith("/oidc") === true,
        handle: (async (_req, res) => void res.end("fast")) as RequestHandler,
      },
      { matches: (req: http.IncomingMessage) => req.url === "/fast-crash", handle: (async () => Promise.reject(new Error("boom"))) as RequestHandler },
    ];
    const get = await serve(createRequestListener({ https: true, identity, fastPaths, log: () => {}, handle: async (_req, res) => void res.end("next") }));
    const fast = await get("/fast");
    expect(await fast.text()).toBe("fast");
    expect(fast.headers.get("x-frame-options")).toBe("DENY");
    expect(fast.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(fast.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    const crash = await get("/fast-crash");
    expect(crash.status).toBe(500);
    expect(crash.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await (await get("/other")).text()).toBe("next");
    // The identity provider's mount is not a fast path's to take.
    expect(await (await get("/oidc/x")).text()).toBe("provider page");
  });

  // An agent past its own timeout, or a laptop closed mid-upload: nobody is left to answer, and it
  // is no failure of the server's. Over a real socket, the client leaving mid-body.
  it("neither answers nor logs as a failure a request whose client left in the middle of its body", async () => {
    const failures: unknown[] = [];
    const notes: string[] = [];
    let handled!: () => void;
    const settled = new Promise<void>((resolve) => (handled = resolve));
    let response: http.ServerResponse | undefined;
    const upload = {
      matches: (req: http.IncomingMessage) => req.url?.startsWith("/upload") === true,
      handle: (async (req, res) => {
        response = res;
        res.end(await readBoundedBody(req, 1024 * 1024));
      }) as RequestHandler,
    };
    await serve(
      createRequestListener({
        https: false,
        fastPaths: [upload],
        log: (_message, error) => {
          failures.push(error);
          handled();
        },
        note: (message) => {
          notes.push(message);
          handled();
        },
        handle: async (_req, res) => void res.end("next"),
      }),
    );
    const socket = net.connect((server!.address() as AddressInfo).port, "127.0.0.1");
    socket.on("error", () => {});
    // The server has the first 10 bytes of 1,000: the client leaves with the rest unsent.
    server!.once("request", (req: http.IncomingMessage) => req.once("data", () => socket.destroy()));
    socket.write("POST /upload?token=secret HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "{".repeat(10));
    await settled;
    expect(notes).toEqual(["[bridgehead] POST /upload: the client left before its request was complete; not answered"]);
    expect(failures).toEqual([]);
    // Not the last-resort 500, nor any other answer.
    expect(response?.headersSent).toBe(false);
  });
});
