/**
 * The console's one request listener: every response, whoever writes it (a Next.js page, a
 * route handler, the built-in identity provider, or this listener's own last-resort 500),
 * starts with the security headers already set. Next.js replaces the Content-Security-Policy
 * with the page's nonce policy (proxy.ts) and keeps the others; a route handler's own value for
 * a header set here is ignored by Next, so the strict defaults hold.
 *
 * A few requests skip Next altogether (`fastPaths`): the agents' telemetry posts, answered by
 * plain Node (lib/server/telemetry-fast-path.ts) after the same headers are set.
 */
import "server-only";
import type http from "node:http";
import { baselineSecurityHeaders, type HeaderList } from "@/lib/security/headers";
import { ClientLeft } from "./client-left";

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export type IdentityMount = { prefix: string; handle: RequestHandler; contentSecurityPolicy: string };

/** A request answered before Next: `matches` picks it (cheaply: it runs for every request). */
export type FastPath = { matches: (req: http.IncomingMessage) => boolean; handle: RequestHandler };

export function createRequestListener(options: {
  handle: RequestHandler;
  /** The built-in OpenID provider, when it runs: its pages get a CSP of their own. */
  identity?: IdentityMount;
  /** Requests answered by plain Node handlers instead of Next, first match wins. */
  fastPaths?: readonly FastPath[];
  https: boolean;
  log?: (message: string, error: unknown) => void;
  /** Below `log`: what is worth a line but is no failure of the server's (a client that left mid-request). */
  note?: (message: string) => void;
}): http.RequestListener {
  const baseline: HeaderList = baselineSecurityHeaders({ https: options.https });
  const log = options.log ?? ((message, error) => console.error(message, error));
  const note = options.note ?? ((message) => console.info(message));
  return (req, res) => {
    for (const [name, value] of baseline) res.setHeader(name, value);
    const identity = options.identity;
    const isIdentityRequest = identity !== undefined && (req.url === identity.prefix || req.url?.startsWith(`${identity.prefix}/`) === true);
    if (isIdentityRequest) res.setHeader("content-security-policy", identity.contentSecurityPolicy);
    const fast = isIdentityRequest ? undefined : options.fastPaths?.find((path) => path.matches(req));
    const work = isIdentityRequest ? identity.handle(req, res) : fast ? fast.handle(req, res) : options.handle(req, res);
    work.catch((error: unknown) => {
      if (error instanceof ClientLeft) {
        // Its connection is gone: an answer would go nowhere. The path without its query.
        note(`[bridgehead] ${req.method} ${req.url?.split("?")[0]}: the client left before its request was complete; not answered`);
        return;
      }
      log("[bridgehead] request failed:", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Internal Server Error");
    });
  };
}
