import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestListener, type RequestHandler } from "./request-listener";

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
});
