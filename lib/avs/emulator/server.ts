/**
 * The built-in Azure VMware Solution emulator: a loopback HTTP server that answers the part of
 * the AVS ARM API (2023-03-01) the console uses, closely enough that the real @azure/arm-avs SDK
 * (through lib/avs/client.ts) cannot tell the difference: same paths, ids, bodies, status codes,
 * error envelopes, paging and long-running-operation headers.
 *
 * On top of that, for tests and demos: state in a JSON file that survives restarts, injected
 * faults (latency, throttling, errors, failed operations, hangs) and out-of-band changes, as if
 * someone had used the Azure portal behind the console's back.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_VERSION, ArmError, errorBody, segmentResource } from "./arm";
import type { EmulatorContext } from "./context";
import { type EmulatorFault, FaultInjector } from "./faults";
import { type Reply, type RouteContext, Router } from "./router";
import { addCloudRoutes } from "./routes/clouds";
import { controlRoutes, outOfBandChanges, type OutOfBand } from "./routes/control";
import { addOperationRoutes } from "./routes/operations";
import { addSegmentRoutes } from "./routes/segments";
import { AvsStore, operationStatus } from "./store";

export type { EmulatorFault } from "./faults";
export { API_VERSION } from "./arm";
export { EMULATOR_RESOURCE_GROUP, EMULATOR_SUBSCRIPTION_ID } from "./seed";


export type AvsEmulator = {
  /** Base URL, e.g. http://127.0.0.1:41234: the `endpoint` for createAvsClient. */
  url: string;
  /** The bearer token every request must carry. */
  token: string;
  subscriptionId: string;
  close(): Promise<void>;
  faults: { add(fault: EmulatorFault): void; clear(): void };
  outOfBand: OutOfBand;
  segments(
    resourceGroup: string,
    privateCloud: string,
  ): Array<{ id: string; name: string; displayName: string; provisioningState: string; connectedGateway: string | null; gatewayAddress: string | null; revision: number }>;
  /** The long-running operations on one segment, oldest first: what each did and how it ended. */
  operations(resourceGroup: string, privateCloud: string, segmentId: string): Array<{ action: string; status: string; failure: string | null; connectedGateway: string | null }>;
  /**
   * The most recent requests (at most 1000), oldest first. Status 0: dropped without an answer.
   * delayMs: the latency injected into it.
   */
  requestLog: Array<{ method: string; path: string; status: number; delayMs: number }>;
  /**
   * Resolves when the next request matching `method` and `pathIncludes` (as a fault matches)
   * arrives, before any fault delays or answers it: lets a test act while a request is in flight.
   */
  nextArrival(match: { method?: string; pathIncludes?: string }): Promise<void>;
};

export type AvsEmulatorOptions = {
  /** JSON state file: loaded when present, seeded otherwise. */
  stateFile: string;
  /** Loopback only (default 127.0.0.1): the token travels in the clear. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** How long a segment create or delete takes (default 1000 ms). */
  operationMs?: number;
  /** Items per page of every list (default 2, so that clients must follow nextLink). */
  pageSize?: number;
};

const LOOPBACK_HOSTS = ["127.0.0.1", "::1", "localhost"];
const REQUEST_LOG_LIMIT = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

export async function startAvsEmulator(options: AvsEmulatorOptions): Promise<AvsEmulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.includes(host)) throw new Error(`The AVS emulator listens on loopback only, not ${host}.`);
  const operationMs = options.operationMs ?? 1000;
  const pageSize = options.pageSize ?? 2;
  if (!Number.isInteger(operationMs) || operationMs < 0) throw new Error("operationMs must be a non-negative integer");
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error("pageSize must be a positive integer");
  const token = options.token ?? randomBytes(32).toString("base64url");
  const tokenDigest = createHash("sha256").update(`Bearer ${token}`).digest();

  const store = AvsStore.open(options.stateFile);
  const subscriptionId = store.subscriptionId;
  const faults = new FaultInjector();
  const requestLog: AvsEmulator["requestLog"] = [];
  let baseUrl = "";
  let closed = false;
  const ctx: EmulatorContext = { store, subscriptionId, faults, pageSize, operationMs, baseUrl: () => baseUrl };
  const arm = new Router();
  addCloudRoutes(arm, ctx);
  addSegmentRoutes(arm, ctx);
  addOperationRoutes(arm, ctx);
  const outOfBand = outOfBandChanges(ctx);
  const control = controlRoutes(ctx, outOfBand);

  // Requests held by latency or hang faults, so that close() can release them at once.
  const waiters = new Set<() => void>();
  function pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (closed) return resolve();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      waiters.add(done);
    });
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  const arrivals = new Set<{ method?: string; pathIncludes?: string; arrived: () => void }>();
  function announceArrival(method: string, path: string): void {
    for (const waiter of [...arrivals]) {
      if (waiter.method && waiter.method.toUpperCase() !== method) continue;
      if (waiter.pathIncludes && !path.toLowerCase().includes(waiter.pathIncludes.toLowerCase())) continue;
      arrivals.delete(waiter);
      waiter.arrived();
    }
  }

  const delays = new WeakMap<IncomingMessage, number>();
  function log(req: IncomingMessage, status: number): void {
    requestLog.push({ method: req.method ?? "GET", path: req.url ?? "/", status, delayMs: delays.get(req) ?? 0 });
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.splice(0, requestLog.length - REQUEST_LOG_LIMIT);
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "x-ms-request-id": randomUUID(),
      ...(reply.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "content-length": Buffer.byteLength(payload),
      ...reply.headers,
    });
    // Logged before the bytes leave, so a test that has its answer also finds it in the log.
    log(req, reply.status);
    res.end(payload);
  }

  function drop(req: IncomingMessage): void {
    log(req, 0);
    req.socket.destroy();
  }

  function authorized(req: IncomingMessage): boolean {
    const given = createHash("sha256").update(req.headers.authorization ?? "").digest();
    return timingSafeEqual(given, tokenDigest);
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ArmError(413, "RequestEntityTooLarge", "The request content is too large.");
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ArmError(400, "InvalidRequestContent", "The request content is not valid JSON.");
    }
  }

  function route(router: Router, context: RouteContext): Reply {
    const match = router.match(context.method, context.url.pathname);
    if (match.kind === "found") return match.handler({ ...context, params: match.params });
    if (match.kind === "method-not-allowed") {
      throw new ArmError(405, "MethodNotAllowed", `The method '${context.method}' is not allowed on '${context.url.pathname}'.`);
    }
    throw new ArmError(404, "NotFound", `No resource or operation at '${context.url.pathname}'.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    try {
      const body = await readJson(req);
      if (!authorized(req)) {
        throw new ArmError(401, "AuthenticationFailed", "Authentication failed: the 'Authorization' header is missing or its bearer token is not valid.", {
          "WWW-Authenticate": 'Bearer error="invalid_token"',
        });
      }
      // The control routes are never subject to faults: a hang must stay clearable.
      if (url.pathname.startsWith("/_emulator/")) return send(req, res, route(control, { params: {}, url, method, body }));

      if (url.searchParams.get("api-version") !== API_VERSION) {
        throw new ArmError(
          400,
          "InvalidApiVersionParameter",
          `The api-version '${url.searchParams.get("api-version") ?? ""}' is invalid. The supported version is '${API_VERSION}'.`,
        );
      }

      announceArrival(method, url.pathname);
      const plan = faults.plan(method, url.pathname);
      delays.set(req, plan.delayMs);
      if (plan.delayMs > 0) await pause(plan.delayMs);
      if (plan.outcome?.kind === "hang") await pause(plan.outcome.hangMs);
      if (closed || plan.outcome?.kind === "hang") return drop(req);
      if (plan.outcome) {
        const { status, code, message, retryAfterSeconds } = plan.outcome;
        throw new ArmError(status, code, message, retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) });
      }

      store.settle();
      send(req, res, route(arm, { params: {}, url, method, body }));
    } catch (error) {
      if (res.headersSent || closed) return drop(req);
      if (error instanceof ArmError) return send(req, res, { status: error.status, body: errorBody(error.code, error.message), headers: error.headers });
      const message = error instanceof Error ? error.message : String(error);
      send(req, res, { status: 500, body: errorBody("InternalServerError", `The AVS emulator failed: ${message}`) });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    token,
    subscriptionId,
    requestLog,
    faults: { add: (fault) => faults.add(fault), clear: () => faults.clear() },
    nextArrival: (match) => new Promise<void>((arrived) => arrivals.add({ ...match, arrived })),
    outOfBand,
    segments(resourceGroup, privateCloud) {
      store.settle();
      const cloud = store.cloud(resourceGroup, privateCloud);
      if (!cloud) throw new Error(`No private cloud '${privateCloud}' in resource group '${resourceGroup}'.`);
      return cloud.segments.map((segment) => {
        const { id, name } = segmentResource(subscriptionId, cloud, segment);
        return {
          id,
          name,
          displayName: segment.displayName,
          provisioningState: segment.provisioningState,
          connectedGateway: segment.connectedGateway ?? null,
          gatewayAddress: segment.subnet?.gatewayAddress ?? null,
          revision: segment.revision,
        };
      });
    },
    operations(resourceGroup, privateCloud, segmentId) {
      store.settle();
      return store.state.operations
        .filter((op) => op.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() && op.privateCloud.toLowerCase() === privateCloud.toLowerCase() && op.segmentId === segmentId)
        .sort((a, b) => a.startedAt - b.startedAt)
        .map((op) => ({ action: op.action, status: operationStatus(op, Date.now()), failure: op.failure?.message ?? null, connectedGateway: op.after?.connectedGateway ?? null }));
    },
    async close() {
      if (closed) return;
      closed = true;
      store.freeze();
      for (const release of [...waiters]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
